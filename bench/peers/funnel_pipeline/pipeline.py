"""The funnel pipeline's five steps as a team scripts them by hand in Python,
the peer of Refinery's first run in bench/funnel_bench.sh: import the table
from SQLite into a raw-zone CSV (pandas), a summary per outcome (pandas
group-by), a profile with the same quality rules, training with the same
preparation, derived features and XGBoost parameters (python3-xgboost, one-hot
categories, early stopping), and loading the saved model into a prediction
function. Prints each step's seconds as step=seconds and the holdout AUC.

Usage: pipeline.py FUNNEL_DB.sqlite WORK_DIR
"""
import json
import os
import sqlite3
import sys
import time

started = time.perf_counter()
import numpy as np  # noqa: E402  (imports are part of the peer's cost)
import pandas as pd  # noqa: E402
import xgboost as xgb  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

db, work = sys.argv[1], sys.argv[2]
times = {"startup": time.perf_counter() - started}


def step(name):
    def wrap(function):
        begin = time.perf_counter()
        result = function()
        times[name] = time.perf_counter() - begin
        return result
    return wrap


@step("import")
def raw():
    with sqlite3.connect(db) as connection:
        frame = pd.read_sql_query("SELECT * FROM mysql_funnel", connection)
    os.makedirs(f"{work}/raw", exist_ok=True)
    frame.to_csv(f"{work}/raw/part-m-00000", index=False, header=False)
    return frame


@step("summary")
def summary():
    frame = raw
    table = frame.groupby("y").agg(calls=("age", "size"), mean_age=("age", "mean"), min_age=("age", "min"),
                                   max_age=("age", "max"), mean_balance=("balance", "mean"),
                                   mean_campaign=("campaign", "mean"))
    table.to_csv(f"{work}/summary.csv")
    return table


@step("profile")
def profile():
    frame = raw.replace("unknown", np.nan)
    report = {"rows": len(frame), "columns": {}}
    for column in frame.columns:
        values = frame[column]
        entry = {"nulls": int(values.isna().sum()), "distinct": int(values.nunique())}
        if pd.api.types.is_numeric_dtype(values):
            entry.update(values.describe(percentiles=[0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]).to_dict())
        else:
            entry["top"] = values.value_counts().head(20).to_dict()
        report["columns"][column] = entry
    rules = [len(frame) >= 1000, frame["y"].nunique() == 2, frame["age"].isna().mean() <= 0.05,
             frame["age"].min() >= 16]
    with open(f"{work}/profile.json", "w") as out:
        json.dump(report, out, default=float)
    if not all(rules):
        sys.exit("quality gate failed")
    return report


FEATURES_CATEGORICAL = ["job", "marital", "education", "default", "housing", "loan", "contact", "month", "poutcome"]


def features(frame):
    frame = frame.copy()
    frame["balance"] = frame["balance"].fillna(frame["balance"].median())
    frame["balance_per_call"] = frame["balance"] / (frame["campaign"] + 1)
    frame["never_contacted"] = (frame["pdays"] < 0).astype(int)
    frame["contacts_before"] = frame["previous"] + (frame["poutcome"] == "success").astype(int)
    frame["age_band"] = np.where(frame["age"] < 30, "young", np.where(frame["age"] < 60, "middle", "senior"))
    return pd.get_dummies(frame, columns=FEATURES_CATEGORICAL + ["age_band"], dtype=float)


@step("train")
def model():
    frame = raw[(raw["y"].notna()) & raw["age"].between(16, 100)].drop_duplicates()
    target = (frame.pop("y") == "yes").astype(int)
    matrix = features(frame.drop(columns=["duration"]))
    x_train, x_test, y_train, y_test = train_test_split(matrix, target, test_size=0.2, stratify=target, random_state=7)
    booster = xgb.XGBClassifier(n_estimators=120, max_depth=4, learning_rate=0.1, subsample=0.9, tree_method="hist",
                                early_stopping_rounds=20, eval_metric="auc", n_jobs=2, random_state=7)
    booster.fit(x_train, y_train, eval_set=[(x_test, y_test)], verbose=False)
    auc = roc_auc_score(y_test, booster.predict_proba(x_test)[:, 1])
    booster.save_model(f"{work}/model.json")
    with open(f"{work}/columns.json", "w") as out:
        json.dump(list(matrix.columns), out)
    return auc


@step("publish")
def predict():
    booster = xgb.XGBClassifier()
    booster.load_model(f"{work}/model.json")
    with open(f"{work}/columns.json") as source:
        columns = json.load(source)
    lead = raw.drop(columns=["y", "duration"]).head(1)
    row = features(lead).reindex(columns=columns, fill_value=0.0)
    return float(booster.predict_proba(row)[0, 1])


for name, seconds in times.items():
    print(f"{name}={seconds:.3f}")
print(f"total={time.perf_counter() - started:.3f}")
print(f"auc={model:.4f}")
