#!/usr/bin/python3
"""Writes a funnel-like table for bench/train_bench.sh: one row per visitor,
mixed numeric and categorical columns with missing values, and a `converted`
yes/no target (~15 % yes) drawn from a known logistic model plus noise.

Usage: train_bench_data.py <rows> <out.csv> [seed]
"""
import sys

import numpy as np
import pandas as pd


def main():
    rows, out = int(sys.argv[1]), sys.argv[2]
    rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    channel = rng.choice(["search", "social", "email", "direct", "display", "affiliate", "video", "referral"],
                         rows, p=[.3, .2, .12, .15, .08, .05, .05, .05])
    device = rng.choice(["mobile", "desktop", "tablet", "tv"], rows, p=[.55, .35, .08, .02])
    region = np.array([f"r{i:02d}" for i in range(50)])[rng.zipf(1.6, rows) % 50]
    campaign = np.array([f"c{i:03d}" for i in range(150)])[rng.integers(0, 150, rows)]
    plan = rng.choice(["free", "basic", "plus", "pro", "team"], rows, p=[.4, .25, .15, .12, .08]).astype(object)
    age = rng.integers(18, 80, rows).astype(float)
    income = np.round(rng.lognormal(10.5, 0.6, rows), 2)
    visits = rng.poisson(3, rows) + 1
    pages = np.round(rng.gamma(2.0, 2.5, rows) * visits, 1)
    tenure_days = rng.integers(0, 2000, rows)
    last_seen = np.round(rng.exponential(20, rows), 1)
    score = np.round(rng.normal(0, 1, rows), 3)

    campaign_effect = np.sin(np.arange(150) * 1.7)[np.searchsorted(np.array([f"c{i:03d}" for i in range(150)]), campaign)]
    logit = (-2.6 + 0.35 * np.log1p(pages) - 0.02 * last_seen + 0.25 * score + 0.4 * campaign_effect
             + np.where(channel == "email", 0.6, 0) + np.where(channel == "display", -0.5, 0)
             + np.where(device == "desktop", 0.3, 0) + np.where(plan == "pro", 0.8, 0) + np.where(plan == "free", -0.4, 0)
             + 0.000002 * income + np.where(age < 30, -0.3, 0) + 0.0002 * tenure_days)
    converted = np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), "yes", "no")

    # Missing values: not at random for income, at random elsewhere.
    income[(rng.random(rows) < 0.12) & (age > 60)] = np.nan
    income[rng.random(rows) < 0.05] = np.nan
    last_seen[rng.random(rows) < 0.10] = np.nan
    age[rng.random(rows) < 0.03] = np.nan
    plan[rng.random(rows) < 0.05] = None

    frame = pd.DataFrame({
        "visitor_id": np.arange(1, rows + 1), "channel": channel, "device": device, "region": region,
        "campaign": campaign, "plan": plan, "age": age, "income": income, "visits": visits, "pages": pages,
        "tenure_days": tenure_days, "last_seen": last_seen, "score": score, "converted": converted})
    frame.to_csv(out, index=False, float_format="%.10g")


if __name__ == "__main__":
    main()
