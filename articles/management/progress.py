"""Progress bars for the long management commands: tqdm, written to the command's own
output so ``call_command(..., stdout=...)`` captures them like the rest."""

from tqdm import tqdm


def progress_bar(command, label, total):
    """A bar for ``total`` steps; ``update(n)`` adds n done, ``close()`` ends the line."""
    # Django's OutputWrapper ends every write with a newline; tqdm redraws one line.
    return tqdm(
        total=total, desc=f"{label:<12}", file=command.stdout._out, ascii=True, mininterval=0.5
    )
