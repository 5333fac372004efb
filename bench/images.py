"""Benchmark the photo pipeline on a 24-megapixel JPEG.

    .venv/bin/python bench/images.py [--runs 3] [--keep]

Prints, for a 6000 x 4000 JPEG (about 10 MB, with EXIF and GPS like a camera's): the time to
check the upload, to store a cleaned original and to make all renditions, and the peak
memory (maximum resident set size) of a fresh process doing exactly that. The sample is
drawn with Pillow and cached in bench/results/ (git-ignored).
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SAMPLE = RESULTS / "sample-24mp.jpg"


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()


def make_sample(path):
    """A 6000 x 4000 photo-like JPEG: a drawn scene with film-grain noise (which is what makes
    real photos expensive to encode), EXIF with GPS and a camera serial, quality 92."""
    from PIL import Image

    from articles.demo import draw_illustration

    scene = Image.open(io.BytesIO(draw_illustration("benchmark", 1500, 1000)))
    scene = scene.resize((6000, 4000), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((6000, 4000), 24).convert("RGB")
    photo = Image.blend(scene, grain, 0.3)
    exif = Image.Exif()
    exif[0x010F] = "Benchmark Camera"
    exif.get_ifd(0x8769)[0xA431] = "SERIAL-0042"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (41.0, 24.0, 12.2), 3: "W", 4: (71.0, 3.0, 0.0)})
    path.parent.mkdir(parents=True, exist_ok=True)
    photo.save(path, "JPEG", quality=92, exif=exif.tobytes())


def peak_rss_mb():
    """This process's peak resident memory (VmHWM). Unlike getrusage's ru_maxrss it starts
    afresh at exec, so the parent's memory does not count."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(path):
    """Run the pipeline once in this (fresh) process and print the figures as JSON."""
    setup_django()
    from articles import images

    baseline = peak_rss_mb()
    with open(path, "rb") as upload:
        started = time.perf_counter()
        info = images.inspect_upload(upload)
        checked = time.perf_counter()
        original = images.clean_original(upload, info)
        cleaned = time.perf_counter()
    rendered = images.render_renditions(io.BytesIO(original))
    finished = time.perf_counter()
    print(
        json.dumps(
            {
                "size": [info.width, info.height],
                "file_bytes": path.stat().st_size,
                "check_s": checked - started,
                "clean_s": cleaned - checked,
                "renditions_s": finished - cleaned,
                "total_s": finished - started,
                "renditions": len(rendered),
                "rendition_bytes": sum(len(item.data) for item in rendered),
                "by_format": {
                    fmt: sum(len(i.data) for i in rendered if i.format == fmt)
                    for fmt in ("avif", "webp", "jpeg")
                },
                "baseline_rss_mb": baseline,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Fresh processes to run (best shown).")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--make-sample", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_sample:
        setup_django()
        make_sample(SAMPLE)
        return
    if args.worker:
        worker(Path(args.worker))
        return
    if not SAMPLE.exists():
        print(f"Drawing the 24-megapixel sample in {SAMPLE.relative_to(ROOT)} …")
        # Runs this same script with fixed arguments.
        subprocess.run([sys.executable, __file__, "--make-sample"], check=True)
    runs = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, __file__, "--worker", str(SAMPLE)],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda run: run["total_s"])
    width, height = best["size"]
    print(f"Photo pipeline on a {width} x {height} JPEG ({best['file_bytes'] / 1e6:.1f} MB)")
    print(
        f"  runs (fresh process each): {len(runs)}; best shown, all totals: "
        + ", ".join(f"{run['total_s']:.2f}s" for run in runs)
    )
    print(f"  check upload (decode at 1/8 scale):  {best['check_s']:.2f} s")
    print(f"  store cleaned original (lossless):   {best['clean_s']:.2f} s")
    print(
        f"  make all renditions:                 {best['renditions_s']:.2f} s "
        f"({best['renditions']} files, {best['rendition_bytes'] / 1e6:.2f} MB: "
        + ", ".join(f"{fmt} {size / 1e3:.0f} kB" for fmt, size in best["by_format"].items())
        + ")"
    )
    print(f"  total:                               {best['total_s']:.2f} s")
    print(
        f"  peak memory (max RSS):               {max(r['peak_rss_mb'] for r in runs):.0f} MB "
        f"(Python + Django + Pillow loaded: {best['baseline_rss_mb']:.0f} MB)"
    )


if __name__ == "__main__":
    main()
