"""Print the mutation score of each helpers module from mutmut's last run (make mutate).

Reads the results mutmut keeps in mutants/ (one .meta file per module), through mutmut's own
readers, and prints one line per module: killed, survived, other (timeout, suspicious, no tests,
segfault, not checked), total, and the score, killed / total. Run it from the repository root.
"""

from collections import Counter

from mutmut.mutation.data import SourceFileMutationData
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import walk_mutatable_files


def main() -> None:
    rows, others = [], Counter()
    for path in sorted(walk_mutatable_files()):
        data = SourceFileMutationData(path=path)
        data.load()
        counts = Counter(status_by_exit_code[code] for code in data.exit_code_by_key.values())
        killed, survived = counts.pop("killed", 0), counts.pop("survived", 0)
        others += counts
        rows.append((str(path), killed, survived, sum(counts.values())))
    if not any(sum(row[1:]) for row in rows):
        raise SystemExit('No mutation results in mutants/: run "make mutate" first.')
    rows.append(("total", *(sum(row[i] for row in rows) for i in (1, 2, 3))))

    width = max(len(row[0]) for row in rows)
    print(f"{'module':<{width}}  killed  survived  other  total   score")
    for name, killed, survived, other in rows:
        total = killed + survived + other
        score = f"{100 * killed / total:5.1f}%" if total else "    -"
        if name == "total":
            print("-" * (width + 40))
        print(f"{name:<{width}}  {killed:6}  {survived:8}  {other:5}  {total:5}  {score:>6}")
    if others:
        print("other: " + ", ".join(f"{n} {status}" for status, n in sorted(others.items())))


if __name__ == "__main__":
    main()
