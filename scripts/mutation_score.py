"""Print the mutation score of each helpers module from mutmut's last run (make mutate).

Reads the results mutmut keeps in mutants/ (one .meta file per module), through mutmut's own
readers, and prints one line per module: killed, timeout, survived, other (suspicious, no tests,
segfault, not checked), total, and the score, (killed + timeout) / total: as mutmut counts it, a
mutant that makes the tests run 15 times longer than they do unmutated is caught. Run it from the
repository root.
"""

from __future__ import annotations

from collections import Counter

from mutmut.mutation.data import SourceFileMutationData
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import walk_mutatable_files


def main() -> None:
    rows: list[tuple[str, int, int, int, int]] = []
    others: Counter[str] = Counter()
    for path in sorted(walk_mutatable_files()):
        data = SourceFileMutationData(path=path)
        data.load()
        counts = Counter(status_by_exit_code[code] for code in data.exit_code_by_key.values())
        killed, timeout = counts.pop("killed", 0), counts.pop("timeout", 0)
        survived = counts.pop("survived", 0)
        others += counts
        rows.append((str(path), killed, timeout, survived, sum(counts.values())))
    if not any(sum(row[1:]) for row in rows):
        raise SystemExit('No mutation results in mutants/: run "make mutate" first.')
    rows.append(("total", sum(row[1] for row in rows), sum(row[2] for row in rows),
                 sum(row[3] for row in rows), sum(row[4] for row in rows)))

    width = max(len(row[0]) for row in rows)
    print(f"{'module':<{width}}  killed  timeout  survived  other  total   score")
    for name, killed, timeout, survived, other in rows:
        total = killed + timeout + survived + other
        score = f"{100 * (killed + timeout) / total:5.1f}%" if total else "    -"
        if name == "total":
            print("-" * (width + 49))
        figures = f"{killed:6}  {timeout:7}  {survived:8}  {other:5}  {total:5}"
        print(f"{name:<{width}}  {figures}  {score:>6}")
    if others:
        print("other: " + ", ".join(f"{n} {status}" for status, n in sorted(others.items())))


if __name__ == "__main__":
    main()
