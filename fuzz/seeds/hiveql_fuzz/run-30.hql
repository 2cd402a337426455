SELECT round(2.5), round(-2.5), round(3.14159, 2), round(7), floor(-1.5), ceil(1.2), pmod(-7, 3), sqrt(16), pow(2, 10), ln(1), log10(1000), log(2, 8)
