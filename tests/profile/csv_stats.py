"""Independent reference for the profile tests: per-column statistics of a CSV
file computed with Python's csv module only (no Refinery code), printed as JSON.
A column is numeric when every non-empty value parses as a float; an empty
field is a null. Usage: csv_stats.py FILE"""
import csv
import json
import math
import sys


def main(path):
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    columns = []
    for index, name in enumerate(header):
        values = [row[index] for row in rows]
        present = [v for v in values if v != ""]
        numbers = []
        numeric = True
        for value in present:
            try:
                numbers.append(float(value))
            except ValueError:
                numeric = False
                break
        column = {"name": name, "count": len(present), "nulls": len(values) - len(present)}
        if numeric and numbers:
            mean = math.fsum(numbers) / len(numbers)
            column.update(numeric=True, distinct=len(set(numbers)), min=min(numbers), max=max(numbers), mean=mean,
                          zeros=sum(1 for n in numbers if n == 0), negatives=sum(1 for n in numbers if n < 0))
            if len(numbers) > 1:
                column["stddev"] = math.sqrt(math.fsum((n - mean) ** 2 for n in numbers) / (len(numbers) - 1))
        else:
            counts = {}
            for value in present:
                counts[value] = counts.get(value, 0) + 1
            top = max(counts.items(), key=lambda item: (item[1], [-ord(c) for c in item[0]])) if counts else None
            column.update(numeric=False, distinct=len(counts), min=min(present) if present else None,
                          max=max(present) if present else None, top_value=top[0] if top else None,
                          top_count=top[1] if top else 0)
        columns.append(column)
    seen = set()
    duplicates = 0
    for row in rows:
        key = tuple(row)
        if key in seen:
            duplicates += 1
        seen.add(key)
    json.dump({"rows": len(rows), "duplicate_rows": duplicates, "columns": columns}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
