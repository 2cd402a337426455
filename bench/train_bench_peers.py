#!/usr/bin/python3
"""The Python peers of bench/train_bench.sh, doing the work Refinery's train
action does: read the CSV, prepare (impute numbers, one-hot the categories),
hold out 20 % stratified, train, and report the holdout AUC.

Usage: train_bench_peers.py sklearn|xgboost <csv> <rounds> <depth> <eta> <threads>
Prints one line: "<peer> auc=<auc> seconds=<s>". Threads are limited by the
caller (OMP_NUM_THREADS) and by the libraries' own options.
"""
import sys
import time

import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split


def prepare(path):
    frame = pd.read_csv(path)
    y = (frame.pop("converted") == "yes").astype(int)
    frame = frame.drop(columns=["visitor_id"])
    numeric = frame.select_dtypes("number").columns
    frame[numeric] = frame[numeric].fillna(frame[numeric].median())
    x = pd.get_dummies(frame, dummy_na=True, dtype="uint8")
    return x, y


def main():
    peer, path = sys.argv[1], sys.argv[2]
    rounds, depth, eta, threads = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
    start = time.time()
    x, y = prepare(path)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, stratify=y, random_state=0)
    if peer == "sklearn":
        from sklearn.ensemble import HistGradientBoostingClassifier
        model = HistGradientBoostingClassifier(max_iter=rounds, max_depth=depth, learning_rate=eta,
                                               early_stopping=False, random_state=0)
        model.fit(x_train, y_train)
        p = model.predict_proba(x_test)[:, 1]
    else:
        import xgboost as xgb
        train = xgb.DMatrix(x_train, label=y_train, nthread=threads)
        test = xgb.DMatrix(x_test, label=y_test, nthread=threads)
        booster = xgb.train({"objective": "binary:logistic", "tree_method": "hist", "max_depth": depth, "eta": eta,
                             "nthread": threads, "eval_metric": "auc"}, train, rounds)
        p = booster.predict(test)
    print(f"{peer} auc={roc_auc_score(y_test, p):.4f} seconds={time.time() - start:.2f} columns={x.shape[1]}")


if __name__ == "__main__":
    main()
