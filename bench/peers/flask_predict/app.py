"""The peer of bench/predict_bench.sh: the seed's Episode II serving stack.

A Flask app, run under gunicorn, that trains a scikit-learn pipeline
(ColumnTransformer: one-hot for text columns, numbers passed through ->
HistGradientBoostingClassifier) on the bank marketing CSV at start-up, with
the same features as the Refinery model (everything but `y` and `duration`),
then serves

  POST /predict      one JSON object of input fields -> {"probability", "label", "model"}
  POST /predict.csv  a CSV with a header -> the rows with probability and label
  GET  /health       "ok" once the model is trained

Environment: BANK_CSV (the training CSV), ROUNDS / MAX_DEPTH / ETA (as the
Refinery <train> action's rounds, max_depth, eta). Start with `--preload` so
the model is trained once, before the workers fork.
"""
import io
import os

import pandas as pd
from flask import Flask, Response, jsonify, request
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

TARGET = "y"
EXCLUDED = ["duration"]


def train(path):
    frame = pd.read_csv(path)
    labels = (frame[TARGET] == "yes").astype(int)
    features = frame.drop(columns=[TARGET] + EXCLUDED)
    text = [c for c in features.columns if features[c].dtype == object]
    numbers = [c for c in features.columns if c not in text]
    prepare = ColumnTransformer(
        [("text", OneHotEncoder(handle_unknown="ignore"), text), ("numbers", "passthrough", numbers)])
    model = HistGradientBoostingClassifier(
        max_iter=int(os.environ.get("ROUNDS", "100")),
        max_depth=int(os.environ.get("MAX_DEPTH", "6")),
        learning_rate=float(os.environ.get("ETA", "0.1")),
        early_stopping=False,
        random_state=0)
    pipeline = Pipeline([("prepare", prepare), ("model", model)])
    pipeline.fit(features, labels)
    return pipeline, list(features.columns)


PIPELINE, COLUMNS = train(os.environ.get("BANK_CSV", "examples/data/bank_marketing.csv"))
app = Flask(__name__)


@app.get("/health")
def health():
    return "ok"


@app.post("/predict")
def predict():
    row = request.get_json(force=True)
    frame = pd.DataFrame([{c: row.get(c) for c in COLUMNS}], columns=COLUMNS)
    probability = float(PIPELINE.predict_proba(frame)[0, 1])
    return jsonify(probability=probability, label="yes" if probability >= 0.5 else "no", model="bank")


@app.post("/predict.csv")
def predict_csv():
    frame = pd.read_csv(io.BytesIO(request.get_data()))
    probabilities = PIPELINE.predict_proba(frame[COLUMNS])[:, 1]
    frame["predicted_label"] = ["yes" if p >= 0.5 else "no" for p in probabilities]
    frame["probability"] = probabilities
    return Response(frame.to_csv(index=False), mimetype="text/csv")
