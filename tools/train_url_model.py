#!/usr/bin/env python3
"""Trains the link model (src/core/phish/urlmodel.c) on the dev URL set only.

The inputs come from the C code itself: the script runs gh-url-features
(built by meson) on every URL and reads, for each, the 34 lexical and host
features, the hashed character n-gram buckets (3-5 bytes of the URL) and
the analyser's verdict score without and with the model's reason. So
there is one implementation of everything the server computes.

The model is one logistic regression over the standardised lexical
features and the n-gram buckets (a present bucket takes its smoothed
log-count ratio on the training rows as its value), fitted by stochastic gradient
descent with L2 and a decaying step (plain Python, no dependencies;
deterministic: fixed seeds, fixed epochs). Figures are stratified 5-fold
cross-validated (every row scored by a model that never saw it). The
alarm threshold is chosen on those out-of-fold scores against the
analyser's WHOLE verdict (a link is flagged when its rules alone flag it,
or when the model's reason would), so the rules' own false alarms count
against the budget. The weights are written as a generated C table, the
n-gram weights in 16-bit fixed point.

  python3 tools/train_url_model.py --features build-san/gh-url-features \\
      --data ../shared/eval/dev/phishing_urls.csv \\
      --out src/core/phish/urlmodel_weights.c [--oof FILE] [--check]

--check writes nothing and exits 1 if --out differs from what it would
write, or if the compiled C scores differ from the script's (make
model-check). --oof writes url,label,fold,score for every row.
--spread prints the figure with folds drawn by four other seeds.
--score CSV scores another url,label file (a held-out part) with the
model trained on --data and prints its figures.
"""
import argparse
import csv
import math
import random
import subprocess
import sys
import zlib

SEED = 12
FOLDS = 5
EPOCHS = 8
STEP = 0.1
L2 = 3e-4
NB_ALPHA = 0.5      # smoothing of the n-gram log-count ratios
MAX_FPR = 0.019     # of the whole verdict; 0.1 point below the aim of 2%
NGRAM_BITS = 16     # PHISH_URL_NGRAM_BITS
FLAG = 30           # phish_verdict(): "suspicious" from 30


def load(data, tool):
    with open(data, newline="") as f:
        rows = [(r["url"], r["label"] == "phishing") for r in csv.DictReader(f)]
    inp = "".join(u.replace("\n", " ") + "\n" for u, _ in rows)
    out = subprocess.run([tool], input=inp.encode(), capture_output=True,
                         check=True).stdout.decode("utf-8", "replace")
    out = out.splitlines()
    names = out[0].split("\t")[:-4]
    d = {"X": [], "G": [], "without": [], "with": [], "c": [], "y": [],
         "urls": []}
    for (u, lab), line in zip(rows, out[1:]):
        if line == "-":
            continue
        cols = line.split("\t")
        k = len(names)
        d["X"].append([float(v) for v in cols[:k]])
        d["G"].append([int(v) for v in cols[k].split()])
        d["without"].append(int(cols[k + 1]))
        d["with"].append(int(cols[k + 2]))
        d["c"].append(float(cols[k + 3]))
        d["y"].append(1 if lab else 0)
        d["urls"].append(u)
    return names, d, len(rows)


def sigmoid(z):
    if z < -40:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


class Model:
    """Raw-unit lexical weights, bias and n-gram weights."""

    def __init__(self, lex, bias, ngram):
        self.lex, self.bias, self.ngram = lex, bias, ngram

    def z(self, x, g):
        return (self.bias + sum(a * b for a, b in zip(self.lex, x)) +
                sum(self.ngram[j] for j in g))

    def score(self, x, g):
        return sigmoid(self.z(x, g))


def nb_ratios(G, y, rows):
    """Each bucket's log-count ratio on the training rows (how much more
    often it occurs in phishing than in legitimate URLs, smoothed): the
    value a present n-gram takes in the regression (NB-weighted features,
    Wang and Manning, "Baselines and Bigrams", 2012)."""
    size = 1 << NGRAM_BITS
    pos, neg = [NB_ALPHA] * size, [NB_ALPHA] * size
    for i in rows:
        cnt = pos if y[i] else neg
        for j in G[i]:
            cnt[j] += 1
    sp, sn = sum(pos), sum(neg)
    return [math.log((p / sp) / (q / sn)) for p, q in zip(pos, neg)]


def fit(d, rows, cols, grams, seed):
    """SGD over rows using lexical columns cols and (if grams) n-grams."""
    X, G, y = d["X"], d["G"], d["y"]
    n = len(rows)
    mu = {c: sum(X[i][c] for i in rows) / n for c in cols}
    sd = {}
    for c in cols:
        v = sum((X[i][c] - mu[c]) ** 2 for i in rows) / n
        sd[c] = math.sqrt(v) if v > 1e-12 else 1.0
    Z = {i: [(X[i][c] - mu[c]) / sd[c] for c in cols] for i in rows}
    v = [0.0] * len(cols)
    w = [0.0] * (1 << NGRAM_BITS)
    r = nb_ratios(G, y, rows) if grams else w
    b, t = 0.0, 0
    order = list(rows)
    rng = random.Random(seed)
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for i in order:
            t += 1
            lr = STEP / (1 + STEP * L2 * t)
            zi = Z[i]
            gi = G[i] if grams else ()
            z = (b + sum(a * q for a, q in zip(v, zi)) +
                 sum(w[j] * r[j] for j in gi))
            e = sigmoid(max(-30.0, min(30.0, z))) - y[i]
            b -= lr * e
            for k in range(len(v)):
                v[k] -= lr * (e * zi[k] + L2 * v[k])
            for j in gi:
                w[j] -= lr * (e * r[j] + L2 * w[j])
    lex = [0.0] * len(X[0])
    for k, c in enumerate(cols):
        lex[c] = v[k] / sd[c]
        b -= v[k] * mu[c] / sd[c]
    ngram = [a * q for a, q in zip(w, r)] if grams else [0.0] * len(w)
    return Model(lex, b, ngram), dict(zip(cols, v))


def folds(y, seed=SEED):
    rng = random.Random(seed)
    fold = [0] * len(y)
    for lab in (0, 1):
        idx = [i for i, t in enumerate(y) if t == lab]
        rng.shuffle(idx)
        for k, i in enumerate(idx):
            fold[i] = k % FOLDS
    return fold


def cross_val(d, fold, cols, grams):
    oof = [0.0] * len(d["y"])
    for k in range(FOLDS):
        tr = [i for i in range(len(oof)) if fold[i] != k]
        m, _ = fit(d, tr, cols, grams, SEED * 100 + k)
        for i in range(len(oof)):
            if fold[i] == k:
                oof[i] = m.score(d["X"][i], d["G"][i])
    return oof


def flagged(d, i, s, thr):
    return (d["with"][i] if s >= thr else d["without"][i]) >= FLAG


def threshold(d, scores, max_fpr, whole):
    """Lowest threshold keeping false alarms <= max_fpr: of the model
    alone, or (whole) of the analyser's verdict with the model in it."""
    y = d["y"]
    legit = [i for i, t in enumerate(y) if t == 0]
    allowed = int(math.floor(max_fpr * len(legit)))
    cand = legit
    if whole:
        allowed -= sum(1 for i in legit if d["without"][i] >= FLAG)
        cand = [i for i in legit if d["without"][i] < FLAG and
                d["with"][i] >= FLAG]
    s = sorted((scores[i] for i in cand), reverse=True)
    if allowed < 0:
        return 1.1
    return s[allowed] + 1e-12 if allowed < len(s) else 0.0


def rates(d, scores, thr, whole):
    y = d["y"]
    hit = [flagged(d, i, s, thr) if whole else s >= thr
           for i, s in enumerate(scores)]
    tp = sum(1 for h, t in zip(hit, y) if h and t)
    fp = sum(1 for h, t in zip(hit, y) if h and not t)
    return tp / sum(y), fp / (len(y) - sum(y))


def auc(scores, y):
    pairs = sorted(zip(scores, y))
    rank_sum, r = 0.0, 0
    while r < len(pairs):
        q = r
        while q < len(pairs) and pairs[q][0] == pairs[r][0]:
            q += 1
        rank_sum += sum(1 for k in range(r, q) if pairs[k][1]) * (r + q + 1) / 2
        r = q
    npos = sum(y)
    return (rank_sum - npos * (npos + 1) / 2) / (npos * (len(y) - npos))


def report(names, d, fold, rep):
    allc = list(range(len(names)))
    shortcut = [c for c in allc if names[c] not in ("ip_literal", "not_https")]
    variants = [("lexical + n-grams (shipped)", allc, True),
                ("n-grams only", [], True),
                ("lexical only", allc, False),
                ("without ip_literal and not_https", shortcut, True)]
    oof = None
    for label, cols, grams in variants:
        s = cross_val(d, fold, cols, grams)
        thr = threshold(d, s, 0.02, False)
        det, fpr = rates(d, s, thr, False)
        rep.append("%-34s model alone: detect %5.1f%% at %4.2f%% false "
                   "alarms, AUC %.3f" % (label, 100 * det, 100 * fpr,
                                         auc(s, d["y"])))
        if oof is None:
            oof = s
    thr = threshold(d, oof, MAX_FPR, True)
    det, fpr = rates(d, oof, thr, True)
    rules = rates(d, [0.0] * len(oof), 2.0, True)
    rep.append("whole verdict (rules + model), threshold %.4f: detect "
               "%.1f%% at %.2f%% false alarms (rules alone: %.1f%% at "
               "%.2f%%)" % (thr, 100 * det, 100 * fpr, 100 * rules[0],
                            100 * rules[1]))
    return oof, thr


def quantise(w):
    top = max(abs(x) for x in w) or 1.0
    scale = top / 32767.0
    return [int(round(x / scale)) for x in w], scale


def shipped(d, names):
    m, std = fit(d, list(range(len(d["y"]))), list(range(len(names))),
                 True, SEED)
    q, scale = quantise(m.ngram)
    return Model(m.lex, m.bias, [x * scale for x in q]), std, q, scale


def top_grams(d, m, rep):
    """The n-grams (seen in >= 20 dev URLs) with the largest weights."""
    seen = {}
    for u in d["urls"]:
        s = u.encode("utf-8", "replace")
        low = s.lower()
        for p in (b"https://", b"http://"):
            if low.startswith(p):
                s = s[len(p):]
                break
        s = b"^" + s.lower() + b"$"
        grams = {s[i:i + g] for g in (3, 4, 5) for i in range(len(s) - g + 1)}
        for t in grams:
            seen[t] = seen.get(t, 0) + 1
    mask = (1 << NGRAM_BITS) - 1
    common = [(m.ngram[zlib.crc32(t) & mask], t) for t, c in seen.items()
              if c >= 20]
    common.sort()
    fmt = lambda ws: ", ".join("'%s' %+.2f" % (t.decode("utf-8", "replace"),
                                               w) for w, t in ws)
    rep.append("n-grams towards phishing: " + fmt(common[::-1][:10]))
    rep.append("n-grams towards legitimate: " + fmt(common[:10]))


def write_table(path, names, m, q, scale, thr, rep, check):
    cmd = ("make model, that is: python3 tools/train_url_model.py "
           "--features BUILD/gh-url-features "
           "--data ../shared/eval/dev/phishing_urls.csv "
           "--out src/core/phish/urlmodel_weights.c")
    lines = ["/* checksrc: generated by tools/train_url_model.py; do not edit.",
             " * Command: " + cmd,
             " * Cross-validated on the dev set (%d folds, seed %d):"
             % (FOLDS, SEED)]
    lines += [" *   " + r.replace("*/", "* /") for r in rep]
    lines += [" */", '#include "core/phish/urlmodel_int.h"', "",
              "const double urlmodel_weights[PHISH_URL_NFEAT] = {"]
    lines += ["\t%r,\t/* %s */" % (m.lex[i], n) for i, n in enumerate(names)]
    lines += ["};", "const double urlmodel_bias = %r;" % m.bias,
              "const double phish_url_threshold = %r;" % thr,
              "const double urlmodel_ngram_scale = %r;" % scale,
              "const int16_t urlmodel_ngram[PHISH_URL_NGRAMS] = {"]
    for k in range(0, len(q), 16):
        lines.append("\t" + ", ".join(str(v) for v in q[k:k + 16]) + ",")
    lines += ["};", ""]
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


def score_other(path, tool, m, thr):
    _, d2, total = load(path, tool)
    s = [m.score(x, g) for x, g in zip(d2["X"], d2["G"])]
    det, fpr = rates(d2, s, thr, True)
    mdet, mfpr = rates(d2, s, thr, False)
    print("link model trained on dev, scored on %s (%d URLs): whole "
          "verdict detects %.1f%% at %.2f%% false alarms; the model alone "
          "%.1f%% at %.2f%%" % (path, total, 100 * det, 100 * fpr,
                                100 * mdet, 100 * mfpr))


def same_scores(d, m):
    """The C code's score of every row (the shipped table as compiled)
    against this script's model: 0 when they agree."""
    bad = sum(1 for x, g, c in zip(d["X"], d["G"], d["c"])
              if abs(m.score(x, g) - c) > 1e-9)
    print("model-check: the C scores %s the script's on %d rows"
          % ("match" if bad == 0 else "DIFFER from", len(d["c"])))
    return 1 if bad else 0


def spread(names, d):
    """The whole-verdict figure with the folds drawn by other seeds: how
    much of the cross-validated figure is the luck of one split."""
    for seed in (1, 2, 3, 4):
        oof = cross_val(d, folds(d["y"], seed), list(range(len(names))), True)
        thr = threshold(d, oof, MAX_FPR, True)
        det, fpr = rates(d, oof, thr, True)
        print("folds drawn with seed %d: whole verdict detects %.1f%% at "
              "%.2f%% false alarms" % (seed, 100 * det, 100 * fpr))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--oof")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--score", metavar="CSV")
    ap.add_argument("--spread", action="store_true",
                    help="only print the figure for four other fold seeds")
    a = ap.parse_args()
    names, d, total = load(a.data, a.features)
    if a.spread:
        spread(names, d)
        return 0
    fold = folds(d["y"])
    rep = ["%d of %d rows have features (%d phishing)"
           % (len(d["y"]), total, sum(d["y"]))]
    oof, thr = report(names, d, fold, rep)
    m, std, q, scale = shipped(d, names)
    if a.score:
        print("\n".join(rep))
        score_other(a.score, a.features, m, thr)
        return 0
    coef = sorted(((w, names[c]) for c, w in std.items()),
                  key=lambda t: -abs(t[0]))
    rep.append("standardised lexical coefficients: " +
               ", ".join("%s %+.2f" % (n, w) for w, n in coef))
    top_grams(d, m, rep)
    print("\n".join(rep))
    if a.oof and not a.check:
        with open(a.oof, "w", newline="") as f:
            wr = csv.writer(f)
            wr.writerow(["url", "label", "fold", "score"])
            for u, t, k, s in zip(d["urls"], d["y"], fold, oof):
                wr.writerow([u, "phishing" if t else "legitimate", k,
                             "%.6f" % s])
    rc = write_table(a.out, names, m, q, scale, thr, rep, a.check)
    return rc or (same_scores(d, m) if a.check else 0)


if __name__ == "__main__":
    sys.exit(main())
