#!/usr/bin/env python3
"""Write a class of N learners as the CSV `leerpas-issuer issue-batch` reads
(the columns of examples/learners.csv), deterministic for a given N.

    mkcsv.py N OUT.csv
"""
import random
import sys

FIRST = ["Eva", "Daan", "Sem", "Noah", "Lotte", "Fatima", "Mohammed", "Julia", "Sanne", "Luuk",
         "Yara", "Finn", "Zoë", "Bram", "Aylin", "Thijs", "Noor", "Milan", "Sara", "Ruben"]
LAST = ["de Vries", "Visser", "El Amrani", "Jansen", "Bakker", "Yilmaz", "de Jong", "Smit",
        "Meijer", "van Dijk", "Mulder", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen"]


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(n)
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("studentId,fullName,dateOfBirth,grade,awardingDate\r\n")
        for i in range(n):
            name = "%s %s" % (rnd.choice(FIRST), rnd.choice(LAST))
            dob = "%04d-%02d-%02d" % (rnd.randint(1960, 2008), rnd.randint(1, 12), rnd.randint(1, 28))
            grade = "%d,%d" % (rnd.randint(5, 9), rnd.randint(0, 9))
            f.write('B%07d,%s,%s,"%s",2026-07-03\r\n' % (i + 1, name, dob, grade))


if __name__ == "__main__":
    main()
