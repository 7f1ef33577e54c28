#!/usr/bin/env python3
"""Trains the link model (src/core/phish/urlmodel.c) on the dev URL set only.

The features come from the C code itself: the script runs gh-url-features
(built by meson) on every URL, so there is one feature implementation. It
fits an L2 logistic regression (Newton's method, plain Python, no
dependencies), reports stratified 5-fold cross-validated figures (every
row scored by a model that never saw it), the standardised coefficients
and ablations (without ip_literal, without not_https, without both), and
writes the weights as a generated C table. Deterministic: fixed seed,
fixed iteration count.

  python3 tools/train_url_model.py --features build-san/gh-url-features \\
      --data ../shared/eval/dev/phishing_urls.csv \\
      --out src/core/phish/urlmodel_weights.c [--oof FILE] [--check]

--check writes nothing and exits 1 if --out differs from what it would
write (make model-check). --oof writes url,label,fold,score for every row:
the cross-validated scores an evaluation may use.
"""
import argparse
import csv
import math
import random
import subprocess
import sys

SEED = 12
FOLDS = 5
L2 = 1.0
ITERS = 12
MAX_FPR = 0.02
DROP_FOR_SHIP = ()  # features left out of the shipped model


def load(data, tool):
    with open(data, newline="") as f:
        rows = [(r["url"], r["label"] == "phishing") for r in csv.DictReader(f)]
    inp = "".join(u.replace("\n", " ") + "\n" for u, _ in rows)
    out = subprocess.run([tool], input=inp, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    names = out[0].split("\t")
    X, y, urls = [], [], []
    for (u, lab), line in zip(rows, out[1:]):
        if line == "-":
            continue
        X.append([float(v) for v in line.split("\t")])
        y.append(1 if lab else 0)
        urls.append(u)
    return names, X, y, urls, len(rows)


def solve(A, b):
    n = len(b)
    M = [A[i][:] + [b[i]] for i in range(n)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(M[r][c]))
        M[c], M[p] = M[p], M[c]
        for r in range(n):
            if r != c and M[r][c] != 0.0:
                k = M[r][c] / M[c][c]
                M[r] = [a - k * q for a, q in zip(M[r], M[c])]
    return [M[i][n] / M[i][i] for i in range(n)]


def sigmoid(z):
    if z < -40:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def fit(X, y, cols):
    """Returns (weights over all features in raw units, bias, std coefs)."""
    n = len(X)
    mu = [sum(r[c] for r in X) / n for c in cols]
    sd = []
    for j, c in enumerate(cols):
        v = sum((r[c] - mu[j]) ** 2 for r in X) / n
        sd.append(math.sqrt(v) if v > 1e-12 else 1.0)
    Z = [[1.0] + [(r[c] - mu[j]) / sd[j] for j, c in enumerate(cols)]
         for r in X]
    d = len(cols) + 1
    w = [0.0] * d
    for _ in range(ITERS):
        H = [[L2 if (i == j and i > 0) else 0.0 for j in range(d)]
             for i in range(d)]
        g = [L2 * w[i] if i > 0 else 0.0 for i in range(d)]
        for z, t in zip(Z, y):
            p = sigmoid(sum(a * b for a, b in zip(w, z)))
            s = p * (1 - p)
            e = p - t
            for i in range(d):
                zi = z[i]
                g[i] += e * zi
                si = s * zi
                Hi = H[i]
                for j in range(i, d):
                    Hi[j] += si * z[j]
        for i in range(d):
            for j in range(i):
                H[i][j] = H[j][i]
        step = solve(H, g)
        w = [a - b for a, b in zip(w, step)]
    raw = [0.0] * len(X[0])
    bias = w[0]
    for j, c in enumerate(cols):
        raw[c] = w[j + 1] / sd[j]
        bias -= w[j + 1] * mu[j] / sd[j]
    return raw, bias, w[1:]


def score(raw, bias, x):
    return sigmoid(bias + sum(a * b for a, b in zip(raw, x)))


def folds(y):
    rng = random.Random(SEED)
    fold = [0] * len(y)
    for lab in (0, 1):
        idx = [i for i, t in enumerate(y) if t == lab]
        rng.shuffle(idx)
        for k, i in enumerate(idx):
            fold[i] = k % FOLDS
    return fold


def cross_val(X, y, fold, cols):
    oof = [0.0] * len(y)
    for k in range(FOLDS):
        tr = [i for i in range(len(y)) if fold[i] != k]
        raw, bias, _ = fit([X[i] for i in tr], [y[i] for i in tr], cols)
        for i in range(len(y)):
            if fold[i] == k:
                oof[i] = score(raw, bias, X[i])
    return oof


def at_fpr(oof, y, max_fpr):
    """Lowest threshold with false alarms <= max_fpr; (thr, detect, fpr)."""
    legit = sorted((s for s, t in zip(oof, y) if t == 0), reverse=True)
    allowed = int(math.floor(max_fpr * len(legit)))
    thr = legit[allowed] + 1e-12 if allowed < len(legit) else 0.0
    return thr, rates(oof, y, thr)


def rates(oof, y, thr):
    tp = sum(1 for s, t in zip(oof, y) if t == 1 and s >= thr)
    fp = sum(1 for s, t in zip(oof, y) if t == 0 and s >= thr)
    return tp / sum(y), fp / (len(y) - sum(y))


def auc(oof, y):
    pairs = sorted(zip(oof, y))
    rank_sum, r = 0.0, 0
    while r < len(pairs):
        q = r
        while q < len(pairs) and pairs[q][0] == pairs[r][0]:
            q += 1
        rank_sum += sum(1 for k in range(r, q) if pairs[k][1]) * (r + q + 1) / 2
        r = q
    npos = sum(y)
    nneg = len(y) - npos
    return (rank_sum - npos * (npos + 1) / 2) / (npos * nneg)


def report(names, X, y, fold, rep):
    allc = list(range(len(names)))
    ship = [c for c in allc if names[c] not in DROP_FOR_SHIP]
    variants = [("all features", allc)]
    for drop in (("ip_literal",), ("not_https",), ("ip_literal", "not_https")):
        variants.append(("without " + " and ".join(drop),
                         [c for c in allc if names[c] not in drop]))
    res = {}
    for label, cols in variants:
        oof = cross_val(X, y, fold, cols)
        thr, (det, fpr) = at_fpr(oof, y, MAX_FPR)
        res[label] = (oof, thr)
        rep.append("%-34s detect %5.1f%% at %4.2f%% false alarms "
                   "(threshold %.3f), AUC %.3f"
                   % (label, 100 * det, 100 * fpr, thr, auc(oof, y)))
    return res, ship


def write_table(path, names, raw, bias, thr, rep, check):
    cmd = ("make model, that is: python3 tools/train_url_model.py "
           "--features BUILD/gh-url-features "
           "--data ../shared/eval/dev/phishing_urls.csv "
           "--out src/core/phish/urlmodel_weights.c")
    lines = ["/* checksrc: generated by tools/train_url_model.py; do not edit.",
             " * Command: " + cmd,
             " * Cross-validated on the dev set (5 folds, seed %d):" % SEED]
    lines += [" *   " + r for r in rep]
    lines += [" */", '#include "core/phish/urlmodel_int.h"', "",
              "const double urlmodel_weights[PHISH_URL_NFEAT] = {"]
    lines += ["\t%r,\t/* %s */" % (raw[i], n) for i, n in enumerate(names)]
    lines += ["};", "const double urlmodel_bias = %r;" % bias,
              "const double phish_url_threshold = %r;" % thr, ""]
    text = "\n".join(lines)
    if check:
        with open(path) as f:
            same = f.read() == text
        print("model-check: %s" % ("shipped weights match the script"
                                   if same else "shipped weights DIFFER"))
        return 0 if same else 1
    with open(path, "w") as f:
        f.write(text)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--oof")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--score", metavar="CSV",
                    help="also score another url,label file (a held-out "
                         "part) with the model trained on --data, at its "
                         "threshold; prints the figure, writes nothing")
    a = ap.parse_args()
    names, X, y, urls, total = load(a.data, a.features)
    fold = folds(y)
    rep = ["%d of %d rows have features (%d phishing)" % (len(y), total, sum(y))]
    res, ship = report(names, X, y, fold, rep)
    oof, thr = res["all features"]
    raw, bias, std = fit(X, y, ship)
    rep.append("shipped: all features, threshold %.3f" % thr)
    coef = sorted(zip(std, [names[c] for c in ship]), key=lambda t: -abs(t[0]))
    rep.append("standardised coefficients: " +
               ", ".join("%s %+.2f" % (n, w) for w, n in coef))
    if a.score:
        _, X2, y2, _, _ = load(a.score, a.features)
        det, fpr = rates([score(raw, bias, x) for x in X2], y2, thr)
        print("link model (cross-validated on --data): detect %.1f%% at "
              "%.2f%% false alarms" % (100 * rates(oof, y, thr)[0],
                                       100 * rates(oof, y, thr)[1]))
        print("link model trained on --data, scored on %s: detect %.1f%% "
              "at %.2f%% false alarms (%d URLs, threshold %.3f)"
              % (a.score, 100 * det, 100 * fpr, len(y2), thr))
        return 0
    print("\n".join(rep))
    if a.oof and not a.check:
        with open(a.oof, "w", newline="") as f:
            wr = csv.writer(f)
            wr.writerow(["url", "label", "fold", "score"])
            for u, t, k, s in zip(urls, y, fold, oof):
                wr.writerow([u, "phishing" if t else "legitimate", k, "%.6f" % s])
    return write_table(a.out, names, raw, bias, thr, rep, a.check)


if __name__ == "__main__":
    sys.exit(main())
