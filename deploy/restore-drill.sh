#!/usr/bin/env bash
# Restore drill: back up the database and the media, restore both into scratch copies, and
# prove they match: the same row count in every table, the same checksum for every file.
# Exits non-zero on any mismatch. docs/operations.md explains backups and this drill.
#
#   DATABASE_URL=postgres://user@host:5432/newsroom MEDIA_ROOT=/srv/newsroom/media \
#     deploy/restore-drill.sh [--keep]
#
# BACKUP_DIR        where the dump and the media archive go (default: a new temporary folder)
# SCRATCH_DATABASE  the scratch database, dropped and created (default: <database>_restore_drill)
# SCRATCH_MEDIA     the scratch media folder (default: BACKUP_DIR/restored-media)
# AFTER_RESTORE     a shell command run after the restore, before the comparison, with
#                   RESTORED_DATABASE_URL and RESTORED_MEDIA set; the drill's own test uses
#                   it to damage a copy and see the drill fail.
# --keep            leave the scratch database and media folder for inspection.
set -euo pipefail

keep=0
[[ "${1:-}" == "--keep" ]] && keep=1

: "${DATABASE_URL:?Set DATABASE_URL to the PostgreSQL database to back up}"
: "${MEDIA_ROOT:?Set MEDIA_ROOT to the folder of uploaded files}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "restore drill: DATABASE_URL must be a postgres:// URL" >&2; exit 2 ;;
esac

source_url="${DATABASE_URL%%\?*}"
source_db="${source_url##*/}"
scratch_db="${SCRATCH_DATABASE:-${source_db}_restore_drill}"
scratch_url="${source_url%/*}/${scratch_db}"
if [[ "$scratch_db" == "$source_db" ]]; then
  echo "restore drill: the scratch database must not be the one backed up" >&2
  exit 2
fi
backup_dir="${BACKUP_DIR:-$(mktemp -d -t newsroom-backup.XXXXXX)}"
scratch_media="${SCRATCH_MEDIA:-$backup_dir/restored-media}"
mkdir -p "$backup_dir"
work="$(mktemp -d -t newsroom-drill.XXXXXX)"

cleanup() {
  if [[ "$keep" == 0 ]]; then
    dropdb --if-exists --maintenance-db="$source_url" "$scratch_db" 2>/dev/null || true
    rm -rf "$scratch_media"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# One "schema.table count" line per table, in a stable order.
count_rows_sql="
SELECT format('%I.%I', table_schema, table_name) || ' ' || (xpath('/row/c/text()',
       query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name),
                    false, true, '')))[1]::text
  FROM information_schema.tables
 WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
 ORDER BY 1;"

# "sha256  ./path" for every file under a folder, sorted; names may hold any character.
checksum_files() {
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

echo "== backing up ${source_db} and ${MEDIA_ROOT} to ${backup_dir}"
# The dump and the live counts must describe the same moment, even while editors work:
# one repeatable-read transaction exports its snapshot, pg_dump uses it, and the counts
# are taken inside it.
coproc SNAPSHOT { psql -X -q -A -t -v ON_ERROR_STOP=1 "$source_url" 2>&1; }
echo "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot();" >&"${SNAPSHOT[1]}"
read -r snapshot <&"${SNAPSHOT[0]}"
pg_dump --format=custom --snapshot="$snapshot" --file="$backup_dir/database.dump" "$source_url"
{ echo "$count_rows_sql"; echo "SELECT '-- end of counts';"; } >&"${SNAPSHOT[1]}"
: >"$work/counts.live"
while read -r line <&"${SNAPSHOT[0]}"; do
  [[ "$line" == "-- end of counts" ]] && break
  echo "$line" >>"$work/counts.live"
done
echo "COMMIT;" >&"${SNAPSHOT[1]}"
exec {SNAPSHOT[1]}>&-
wait "$SNAPSHOT_PID" || true

checksum_files "$MEDIA_ROOT" >"$work/files.live"
tar --create --gzip --file="$backup_dir/media.tar.gz" --directory="$MEDIA_ROOT" .
echo "   database.dump $(du -h "$backup_dir/database.dump" | cut -f1), media.tar.gz $(du -h "$backup_dir/media.tar.gz" | cut -f1)"

echo "== restoring into database ${scratch_db} and ${scratch_media}"
dropdb --if-exists --maintenance-db="$source_url" "$scratch_db"
createdb --maintenance-db="$source_url" "$scratch_db"
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$scratch_url" "$backup_dir/database.dump"
rm -rf "$scratch_media"
mkdir -p "$scratch_media"
tar --extract --gzip --file="$backup_dir/media.tar.gz" --directory="$scratch_media"

if [[ -n "${AFTER_RESTORE:-}" ]]; then
  RESTORED_DATABASE_URL="$scratch_url" RESTORED_MEDIA="$scratch_media" bash -c "$AFTER_RESTORE"
fi

echo "== comparing"
psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$count_rows_sql" "$scratch_url" >"$work/counts.restored"
checksum_files "$scratch_media" >"$work/files.restored"

failed=0
if diff -u --label "live rows" --label "restored rows" "$work/counts.live" "$work/counts.restored"; then
  echo "   rows: $(wc -l <"$work/counts.live") tables, $(awk '{n += $NF} END {print n + 0}' "$work/counts.live") rows, all equal"
else
  echo "restore drill FAILED: row counts differ (above)" >&2
  failed=1
fi
if diff -u --label "live files" --label "restored files" "$work/files.live" "$work/files.restored"; then
  echo "   files: $(wc -l <"$work/files.live") files, every checksum equal"
else
  echo "restore drill FAILED: media files differ (above)" >&2
  failed=1
fi
if [[ "$failed" == 0 ]]; then
  echo "restore drill passed: ${backup_dir}/database.dump and media.tar.gz restore completely"
fi
exit "$failed"
