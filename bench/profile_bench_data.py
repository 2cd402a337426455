"""Writes the profile benchmark's input: N rows x 22 mixed columns of CSV
(integers, floats, decimals, categories, dates, high-cardinality text, some
empty cells and disguised missing values), deterministic for a given N.
Usage: profile_bench_data.py OUT.csv [ROWS]"""
import random
import sys

JOBS = ["admin.", "blue-collar", "entrepreneur", "housemaid", "management", "retired", "self-employed",
        "services", "student", "technician", "unemployed", "unknown"]
CITIES = ["city-%02d" % i for i in range(50)]
COUNTRIES = ["PT", "ES", "FR", "DE", "IT", "NL", "BE", "IE", "PL", "SE"]
SEGMENTS = ["gold", "silver", "bronze", "basic", "trial"]
CHANNELS = ["web", "phone", "branch"]
EDUCATION = ["primary", "secondary", "tertiary", "unknown"]
MARITAL = ["married", "single", "divorced"]
HEADER = ["id", "age", "income", "balance", "score", "ratio", "visits", "day", "amount", "flag", "job", "marital",
          "education", "city", "country", "segment", "channel", "subscribed", "joined", "code", "name", "note"]


def main(path, rows):
    rng = random.Random(42)
    with open(path, "w", newline="") as out:
        out.write(",".join(HEADER) + "\n")
        lines = []
        for i in range(1, rows + 1):
            r = rng.random()
            age = "" if r < 0.01 else str(18 + int(r * 1000) % 70)
            income = "" if r > 0.95 else "%.2f" % (20000 + rng.random() * 80000)
            fields = [
                str(i), age, income,
                str(int(rng.gauss(1500, 3000))),
                "%.6f" % rng.random(),
                "%.4f" % (rng.random() * 3),
                str(int(rng.expovariate(0.3))),
                str(1 + i % 31),
                "%d.%02d" % (rng.randrange(0, 5000), rng.randrange(100)),
                str(i % 2),
                JOBS[int(r * 997) % 12],
                MARITAL[i % 3],
                EDUCATION[int(r * 7919) % 4],
                CITIES[rng.randrange(50)],
                COUNTRIES[i % 10],
                SEGMENTS[rng.randrange(5)],
                CHANNELS[i % 3],
                "yes" if r < 0.12 else "no",
                "20%02d-%02d-%02d" % (15 + i % 10, 1 + i % 12, 1 + i % 28),
                "%08x" % rng.getrandbits(32),
                "name-%d" % rng.randrange(rows),
                "" if i % 7 == 0 else ("?" if i % 101 == 0 else "note %d" % (i % 500)),
            ]
            lines.append(",".join(fields))
            if len(lines) == 10000:
                out.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000000)
