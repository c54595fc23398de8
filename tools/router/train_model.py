#!/usr/bin/env python3
"""Trains the router's tier model: a logistic regression (Pro vs Flash) over hashed
word n-grams and character 4-grams of the instruction, written to
data/router/tier_model.txt.

    python3 tools/router/train_model.py > data/router/tier_model.txt
    python3 tools/router/train_model.py --eval      # time-ordered held-out batches
    python3 tools/router/train_model.py --sample-from ../shared/data/public > data/router/tier_model.txt
    python3 tools/router/train_model.py --splits 4 > /tmp/model.txt  # the first 4 read splits only

Deterministic: a fixed seed, a fixed sample of public prompts, Python with NumPy
(Debian's python3-numpy, installed by scripts/setup.sh; run it with /usr/bin/python3
where another python3 on PATH lacks NumPy). The features must match
src/router/tier_model.cc byte for byte: see features() and char_grams().
Training data, all in the repo: data/router/devset.jsonl,
tests/data/router_checkset.jsonl and data/router/public_batch_mtbench.jsonl (labelled;
the last measured once before it was trained on), the locked splits already measured
and reported (READ_SPLITS; the newest is left out until it has been measured), and
data/router/public_sample.jsonl.gz,
every 5th GSM8K, HumanEval and MMLU prompt (Flash work by this project's labels;
sources and licences in data/router/README.md and data/router/licenses/).
--sample-from DIR rebuilds that sample from the public data first; with --eval it
also counts the public prompts the model was not trained on that it sends to Pro.
"""
import csv, glob, gzip, json, math, os, random, re, sys

import numpy

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
BUCKETS = 1 << 18
HEAD = TAIL = 500  # bytes of the instruction read: all of it up to 1000, else its first and last 500
# The character n-grams' lengths, in characters (the model file's `chars` line).
# 4-grams alone: out of time on splits 42-60 they rank Pro work about as well as
# 3- to 5-grams (AUC 0.9895 against 0.9896), at a third of the features to hash.
CHARS = (4, 4)
# With character n-grams a request has several times the features words alone
# give it, so the weights learn at 0.018, about a tenth of the bias's rate (0.2).
WEIGHT_RATE = 0.018


def fnv1a(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def instruction(req):
    """The last user message's text (string content or text parts joined by a space)."""
    text = ""
    for m in req.get("messages", []):
        if m.get("role") == "user":
            c = m.get("content")
            if isinstance(c, list):
                c = " ".join(p["text"] for p in c
                             if isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str))
            text = c if isinstance(c, str) else ""
    return text.encode("utf-8")


def cut_start(b, i):
    """Moves a cut point forward to the start of a UTF-8 character."""
    while i < len(b) and (b[i] & 0xC0) == 0x80:
        i += 1
    return i


def windows(b):
    if len(b) <= HEAD + TAIL:
        return [b]
    head_end = cut_start(b, HEAD)
    return [b[:head_end], b[cut_start(b, len(b) - TAIL):]]


def is_cjk(cp):
    return 0x3040 <= cp <= 0x30FF or 0x3400 <= cp <= 0x9FFF or 0xAC00 <= cp <= 0xD7AF or 0xF900 <= cp <= 0xFAFF


def tokens(w):
    """Words: runs of ASCII letters, digits and '_' (lower-cased; digits only become '#'),
    with non-CJK non-ASCII characters (é, ü, ñ, Cyrillic…) inside them; each CJK
    character is a token of its own; everything else separates."""
    out, cur, i, n = [], bytearray(), 0, len(w)

    def flush():
        if cur:
            out.append(b"#" if cur.isdigit() else bytes(cur))
            cur.clear()
    while i < n:
        c = w[i]
        if c < 0x80:
            if 0x41 <= c <= 0x5A:
                cur.append(c + 32)
            elif 0x61 <= c <= 0x7A or 0x30 <= c <= 0x39 or c == 0x5F:
                cur.append(c)
            else:
                flush()
            i += 1
            continue
        length = 2 if c >> 5 == 0b110 else 3 if c >> 4 == 0b1110 else 4 if c >> 3 == 0b11110 else 1
        seq = w[i:i + length]
        if length == 1 or len(seq) < length:
            flush()
            i += 1
            continue
        cp = c & (0x1F if length == 2 else 0x0F if length == 3 else 0x07)
        for x in seq[1:]:
            cp = (cp << 6) | (x & 0x3F)
        if is_cjk(cp):
            flush()
            out.append(bytes(seq))
        elif cp in (0x3000, 0x00A0) or 0x2000 <= cp <= 0x206F or 0x3001 <= cp <= 0x303F or 0xFF00 <= cp <= 0xFF65:
            flush()  # spaces and punctuation, ASCII-like and CJK
        else:
            cur.extend(seq)
        i += length
    flush()
    return out


# Words that say nothing about the task, in the languages the router reads: no
# unigram of them, and no bigram with one of them (nor with a number, "#").
# src/router/word_tokens.cc holds the same list.
FUNCTION_WORDS = frozenset(w.encode() for w in """
a an the and or but if then than so as at by for from in into of on onto to with without about over under
is are was were be been being am do does did has have had will would can could should shall may might must
it its this that these those there here what which who whom whose when where why how i me my we our you your
he him his she her they them their not no yes also just very too all any each some more most other such only
de la le les un une des du et ou en au aux est que qui dans pour par sur avec ce cette ces il elle ils nous
vous
el los las una unos unas y o es son del al lo se por para con su sus como mas pero
der die das den dem des ein eine einer eines einem und oder ist sind im am zu mit von auf fur für nicht sich
il lo gli un una e di da per con che non
o os as um uma e do da dos das em no na nos nas com por para que
wie wer wo wann warum welche welcher welches ich mein meine wir unser unsere sie er ihr auch nur sehr noch aus
bei nach als wenn dass kann muss wird werden hat haben alle jede jeder mir mich uns zum zur vom beim
comment quoi où quand pourquoi quel quelle je mon mes notre votre vos ne pas tous tout toute toutes être avoir
sont ai suis peut sa ses leur leurs mais si
cómo qué dónde cuándo cuál quién yo mi mis tu nuestro nuestra está están muy también te
come cosa dove quando perché quale mio mia noi nostro nostra sono hanno ho tutti tutto ogni anche molto della
nel nella alla dei delle
onde porque qual eu meu minha nós nosso nossa são tem muito ao pelo pela seu sua
het een op voor naar dat wat hoe waar wanneer waarom ik mijn wij ons onze niet ook elke heeft worden wordt
moet bij uit aan dit deze
yang dan ke dari untuk dengan ini itu apa siapa kapan mengapa saya kami kita tidak akan juga dalam pada atau
ve bir bu için ile nasıl neden biz
""".split()) | frozenset(c.encode() for c in "的了是在和与或也就都而及把被这那个之于以其")


def telling(t):
    return t != b"#" and t not in FUNCTION_WORDS


def single_cjk(t):
    """One CJK character: it makes a feature only in a bigram (src/router/tier_model.cc)."""
    s = t.decode("utf-8", "ignore")
    return len(s) == 1 and is_cjk(ord(s))


def has_history(req):
    """Whether the conversation holds a tool call or a tool's result."""
    return any(m.get("role") in ("tool", "function") or m.get("tool_calls") or
               (isinstance(m.get("content"), list) and
                any(isinstance(p, dict) and p.get("type") in ("tool_use", "tool_result") for p in m["content"]))
               for m in req.get("messages", []) if isinstance(m, dict))


def normalized(w):
    """A window as its character n-grams read it: ASCII letters lower-cased, each run
    of ASCII digits one '#', each run of ASCII whitespace one space."""
    return re.sub(rb"[ \t\n\r\f\v]+", b" ", re.sub(rb"[0-9]+", b"#", w.lower()))


def char_grams(w, lo=CHARS[0], hi=CHARS[1]):
    """Hashes of the window's character n-grams (n from lo to hi, in characters: UTF-8
    sequences, so a CJK character is one), each hashed with the prefix "c:". Unlike
    the word features they read across function words and numbers ("then drain",
    "up to", "6,000 words" as "#,# words"), and word stems and endings in any
    language."""
    s = normalized(w)
    starts = [i for i, c in enumerate(s) if c & 0xC0 != 0x80] + [len(s)]
    count = len(starts) - 1
    out = []
    for i in range(count - lo + 1):
        h = fnv1a(b"c:" + s[starts[i]:starts[i + lo - 1]])
        for n in range(lo, min(hi, count - i) + 1):
            for b in s[starts[i + n - 1]:starts[i + n]]:
                h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
            out.append(h)
    return out


def features(req, chars=True):
    """Hashed feature indices of one request, sorted and distinct: its word n-grams,
    structural features and (with `chars`) character n-grams."""
    names = set()
    grams = set()
    count = 0
    questions = 0
    for w in windows(instruction(req)):
        if chars:
            grams.update(h % BUCKETS for h in char_grams(w))
        toks = tokens(w)
        count += len(toks)
        questions += w.count(b"?") + w.count("？".encode())
        for i, t in enumerate(toks):
            if telling(t):
                if not single_cjk(t):
                    names.add(b"u:" + t)
                if i + 1 < len(toks) and telling(toks[i + 1]):
                    names.add(b"b:" + t + b" " + toks[i + 1])
    tools = len(req.get("tools", []) or [])
    names.add(b"tools:%d" % min(tools, 3))
    names.add(b"history:%d" % (1 if has_history(req) else 0))
    names.add(b"length:%d" % min(count // 40, 6))
    names.add(b"questions:%d" % min(questions, 3))
    return sorted({fnv1a(x) % BUCKETS for x in names} | grams)


def batch_of(id):
    m = re.match(r"check(\d*)-", id)
    return int(m.group(1) or 1) if m else 0


# The locked splits already measured and reported (data/router/README.md): read,
# so no longer a test of anything, and the most varied labelled data there is
# (written apart from the rules, in many styles and languages). A split joins
# only after its one measurement, so the newest split is always unseen.
READ_SPLITS = ("locked_test.jsonl", "locked_test_2.jsonl", "locked_test_3.jsonl", "locked_test_4.jsonl",
               "locked_test_5.jsonl", "locked_test_6.jsonl", "locked_test_7.jsonl",
               "locked_test_8.jsonl", "locked_test_9.jsonl", "locked_test_10.jsonl", "locked_test_11.jsonl",
               "locked_test_12.jsonl", "locked_test_13.jsonl", "locked_test_14.jsonl",
               "locked_test_15.jsonl", "locked_test_16.jsonl", "locked_test_17.jsonl", "locked_test_18.jsonl",
               "locked_test_19.jsonl", "locked_test_20.jsonl", "locked_test_21.jsonl",
               "locked_test_22.jsonl", "locked_test_23.jsonl", "locked_test_24.jsonl",
               "locked_test_25.jsonl", "locked_test_26.jsonl", "locked_test_27.jsonl",
               "locked_test_28.jsonl", "locked_test_29.jsonl", "locked_test_30.jsonl",
               "locked_test_31.jsonl", "locked_test_32.jsonl", "locked_test_33.jsonl", "locked_test_34.jsonl",
               "locked_test_35.jsonl", "locked_test_36.jsonl", "locked_test_37.jsonl",
               "locked_test_38.jsonl", "locked_test_39.jsonl", "locked_test_40.jsonl",
               "locked_test_41.jsonl", "locked_test_43.jsonl", "locked_test_44.jsonl", "locked_test_45.jsonl",
               "locked_test_46.jsonl", "locked_test_47.jsonl", "locked_test_48.jsonl",
               "locked_test_49.jsonl", "locked_test_50.jsonl", "locked_test_51.jsonl",
               "locked_test_52.jsonl", "locked_test_42.jsonl", "locked_test_53.jsonl", "locked_test_54.jsonl",
               "locked_test_55.jsonl", "locked_test_56.jsonl", "locked_test_58.jsonl",
               "locked_test_59.jsonl", "locked_test_60.jsonl")


def with_tools_as_given(req):
    """The request as the model learns it if it is Flash work. LABELLING.md: tools
    defined for a task that needs one call or none do not change its label. The
    labelled sets hardly show that (23% of their Pro requests come with tools, 1.4%
    of their Flash ones), so the model would learn tools as Pro evidence and send
    "what's the weather in Paris?" to Pro whenever an app defines tools. So 2 in 9
    Flash requests without tools, chosen by a hash of the text, are read with one
    to three: about the share Pro requests have, and tools alone tell nothing."""
    if req.get("tools") or has_history(req):
        return req
    h = fnv1a(instruction(req))
    if h % 9 >= 2:
        return req
    return dict(req, tools=[{"type": "function", "function": {"name": f"tool_{i}"}} for i in range(1 + (h >> 8) % 3)])


def read_labelled(path, batch):
    out = []
    for line in open(os.path.join(ROOT, path), encoding="utf-8"):
        if line.strip():
            d = json.loads(line)
            pro = d["tier"] == "pro"
            out.append((features(d["request"] if pro else with_tools_as_given(d["request"])), pro, batch(d["id"])))
    return out


def labelled():
    out = []
    for path in ("data/router/devset.jsonl", "tests/data/router_checkset.jsonl",
                 "data/router/public_batch_mtbench.jsonl"):
        out += read_labelled(path, batch_of)
    return out


def splits(count=len(READ_SPLITS)):
    """The first `count` read locked splits, each a list of (features, pro), in the order written."""
    return [[(x, y) for x, y, _ in read_labelled(os.path.join("data", "router", name), lambda _: 0)]
            for name in READ_SPLITS[:count]]


def public(pub):
    texts = [json.loads(l)["question"] for l in open(f"{pub}/gsm8k/test.jsonl", encoding="utf-8")]
    with gzip.open(f"{pub}/humaneval/HumanEval.jsonl.gz", "rt", encoding="utf-8") as f:
        texts += ["Complete this Python function:\n\n```python\n" + json.loads(l)["prompt"] + "```" for l in f]
    for p in sorted(glob.glob(f"{pub}/routellm/mmlu/*.csv")):
        texts += [r[0] for r in list(csv.reader(open(p, encoding="utf-8")))[1:]]
    return [{"model": "auto", "messages": [{"role": "user", "content": t}]} for t in texts]


SAMPLE = os.path.join(ROOT, "data", "router", "public_sample.jsonl.gz")


def write_sample(requests):
    # mtime 0 and no file name: the same prompts give the same bytes.
    with open(SAMPLE, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
        for r in requests:
            f.write((json.dumps({"text": r["messages"][0]["content"]}, ensure_ascii=False) + "\n").encode("utf-8"))


def read_sample():
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as f:
        return [{"model": "auto", "messages": [{"role": "user", "content": json.loads(l)["text"]}]} for l in f if l.strip()]


def train(data, epochs=15, rate=0.2, weight_rate=WEIGHT_RATE, l2=1e-5):
    """Stochastic gradient descent on the log loss, the classes weighted equally:
    the bias learns at `rate`, the weights at `weight_rate`, with an L2 decay."""
    rng = random.Random(7)
    data = [(numpy.asarray(x, dtype=numpy.int64), y) for x, y in data]
    w = numpy.zeros(BUCKETS)
    b = 0.0
    pos = sum(1 for _, y in data if y)
    wp, wn = len(data) / (2 * pos), len(data) / (2 * (len(data) - pos))  # classes weighted equally
    for _ in range(epochs):
        rng.shuffle(data)
        for x, y in data:
            z = max(-30.0, min(30.0, b + float(w[x].sum())))
            g = (1 / (1 + math.exp(-z)) - y) * (wp if y else wn)
            w[x] -= g * weight_rate + l2 * w[x]
            b -= g * rate
    return w, b


def score(model, x):
    w, b = model
    return max(-30.0, min(30.0, b + float(w[numpy.asarray(x, dtype=numpy.int64)].sum())))


def prob(model, x):
    return 1 / (1 + math.exp(-score(model, x)))


def platt(scores, labels):
    """a, b minimising the log loss of sigmoid(a * score + b), Platt's smoothed targets, by Newton's method."""
    pos = sum(labels)
    neg = len(labels) - pos
    hi, lo = (pos + 1) / (pos + 2), 1 / (neg + 2)
    a, b = 1.0, 0.0
    for _ in range(100):
        ga = gb = 0.0
        haa = hbb = 1e-9
        hab = 0.0
        for s, y in zip(scores, labels):
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, a * s + b))))
            t = hi if y else lo
            d, v = p - t, p * (1 - p)
            ga += d * s
            gb += d
            haa += v * s * s
            hab += v * s
            hbb += v
        det = haa * hbb - hab * hab
        if det <= 0:
            break
        da, db = (hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det
        a, b = a - da, b - db
        if abs(da) < 1e-9 and abs(db) < 1e-9:
            break
    return a, b


def calibration(data, folds=5):
    """Platt scaling fitted on out-of-fold scores: each fold scored by a model trained without it."""
    order = list(range(len(data)))
    random.Random(11).shuffle(order)
    scores = [0.0] * len(data)
    for k in range(folds):
        held = set(order[k::folds])
        model = train([d for i, d in enumerate(data) if i not in held])
        for i in held:
            scores[i] = score(model, data[i][0])
    return platt(scores, [1 if y else 0 for _, y in data])


def report_thresholds(name, model, test):
    """Pro recall and Flash sent to Pro at three thresholds."""
    p = sum(1 for _, y in test if y)
    for th in (0.5, 0.7, 0.8):
        tp = sum(1 for x, y in test if y and prob(model, x) >= th)
        fp = sum(1 for x, y in test if not y and prob(model, x) >= th)
        print(f"{name}, threshold {th}: Pro recall {tp}/{p}, Flash sent to Pro {fp}/{len(test) - p}")


def report_split(name, model, test):
    """report_thresholds(), the Brier score, and a reliability table (P(Pro)
    bands: requests, mean P(Pro), share that need Pro)."""
    report_thresholds(name, model, test)
    p = sum(1 for _, y in test if y)
    probs = [(prob(model, x), y) for x, y in test]
    brier = sum((q - (1 if y else 0)) ** 2 for q, y in probs) / len(probs)
    print(f"{name}: Brier score {brier:.3f} (always P(Pro) = {p / len(test):.2f}: "
          f"{p / len(test) * (1 - p / len(test)):.3f})")
    for lo, hi in ((0, 0.2), (0.2, 0.5), (0.5, 0.8), (0.8, 1.01)):
        band = [(q, y) for q, y in probs if lo <= q < hi]
        if band:
            print(f"  P(Pro) {lo:.1f}-{min(hi, 1):.1f}: {len(band)} requests, mean P(Pro) "
                  f"{sum(q for q, _ in band) / len(band):.2f}, need Pro {sum(1 for _, y in band if y) / len(band):.2f}")


def main():
    args = sys.argv[1:]
    if "-h" in args or "--help" in args:
        sys.exit(__doc__)
    pub = None
    if "--sample-from" in args:
        pub = public(args[args.index("--sample-from") + 1])
        write_sample(pub[::5])
    sample = [(features(with_tools_as_given(r)), False) for r in read_sample()]
    data = labelled()
    if "--eval" in args:
        # Each check batch, with a model trained only on what came before it.
        for held in range(5, 1 + max(b for _, _, b in data)):
            model = train([(x, y) for x, y, b in data if b < held] + sample)
            report_thresholds(f"batch {held}", model, [(x, y) for x, y, b in data if b == held])
        # Each read locked split, with a model trained without it and the splits
        # written after it: how the model does on a new author's requests, and how
        # well its P(Pro) is calibrated there (out of time, so out of fold).
        read = splits()
        base = train([(x, y) for x, y, _ in data] + sample)
        for k in range(1, len(read)):
            report_split(f"{READ_SPLITS[k]}, no split trained on", base, read[k])
            model = train([(x, y) for x, y, _ in data] + sample + [d for s in read[:k] for d in s])
            report_split(f"{READ_SPLITS[k]}, the {k} before it trained on", model, read[k])
        if pub is not None:
            model = train([(x, y) for x, y, _ in data] + sample + [d for s in read for d in s])
            rest = [features(r) for i, r in enumerate(pub) if i % 5]
            for th in (0.5, 0.7, 0.8):
                print(f"public prompts not trained on, threshold {th}: {sum(1 for x in rest if prob(model, x) >= th)} of {len(rest)} to Pro")
        return
    # --splits N: only the first N read splits (a model for split N + 1 as it was unseen).
    count = int(args[args.index("--splits") + 1]) if "--splits" in args else len(READ_SPLITS)
    everything = [(x, y) for x, y, _ in data] + sample + [d for s in splits(count) for d in s]
    ca, cb = calibration(everything)
    w, b = train(everything)
    print("# flashfirst router tier model: logistic regression, P(Pro) over hashed word and character n-grams of the instruction.")
    print("# Generated by: /usr/bin/python3 tools/router/train_model.py  (do not edit)")
    print("# P(Pro) = sigmoid(A * (bias + weights) + B): calibrated out of fold (Platt, 5 folds).")
    print(f"buckets {BUCKETS}")
    print(f"chars {CHARS[0]} {CHARS[1]}")
    print(f"calibration {ca:.6f} {cb:.6f}")
    print(f"bias {b:.6f}")
    for i, v in enumerate(w.tolist()):
        if abs(v) >= 0.005:
            print(f"{i} {v:.6f}")


if __name__ == "__main__":
    main()
