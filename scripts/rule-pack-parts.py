#!/usr/bin/env python3
"""Split `rules test --json` figures by corpus part.

usage: rules test ... --json > out.json; scripts/rule-pack-parts.py out.json [config/corpus/dev] [-v]
Parts: DEV-* cases (the team's corpus) and every other case (held-out corpora folded in), which
is also split by position in labels.json into H1 (the first 187 non-DEV cases) and H2 (the rest).
-v also lists per-rule TP/FP/FN for DEV and H1+H2.
"""
import collections, json, os, sys

args = [a for a in sys.argv[1:] if not a.startswith('-')]
verbose = '-v' in sys.argv
run = json.load(open(args[0]))
corpus = args[1] if len(args) > 1 else 'config/corpus/dev'
cases = json.load(open(os.path.join(corpus, 'labels.json')))['cases']

def part(file):
    return 'DEV' if os.path.basename(file).startswith('DEV-') else 'H1+H2'

by_case = collections.defaultdict(list)
for f in run['findings']:
    by_case[f['file']].append(f)

H1_SIZE = 187
stats = collections.defaultdict(lambda: collections.Counter())
sub = collections.defaultdict(lambda: collections.Counter())
held = 0
rule_stats = collections.defaultdict(lambda: collections.Counter())
for c in cases:
    p = part(c['file'])
    fs = by_case.get(c['file'], [])
    fn = sum(1 for f in fs if f['kind'] == 'missed')
    fp = sum(1 for f in fs if f['kind'] in ('unexpected', 'forbiddenFired'))
    tp = len(c['expected']) - fn
    s = stats[p]
    s['cases'] += 1; s['tp'] += tp; s['fp'] += fp; s['fn'] += fn
    s['clean'] += 0 if any(f['kind'] == 'forbiddenFired' for f in fs) else 1
    if p != 'DEV':
        h = sub['H1' if held < H1_SIZE else 'H2']; held += 1
        h['cases'] += 1; h['tp'] += tp; h['fp'] += fp; h['fn'] += fn
        h['clean'] += 0 if any(f['kind'] == 'forbiddenFired' for f in fs) else 1
    missed = {f['ruleId'] for f in fs if f['kind'] == 'missed'}
    for r in c['expected']:
        rule_stats[(p, r)]['fn' if r in missed else 'tp'] += 1
    for f in fs:
        if f['kind'] in ('unexpected', 'forbiddenFired'):
            rule_stats[(p, f['ruleId'])]['fp'] += 1

def fmt(s):
    P = s['tp'] / max(1, s['tp'] + s['fp']); R = s['tp'] / max(1, s['tp'] + s['fn'])
    return f"cases {s['cases']:4d}  TP {s['tp']:4d} FP {s['fp']:4d} FN {s['fn']:4d}  P {P:.3f} R {R:.3f} clean {s['clean'] / s['cases']:.3f}"

tot = collections.Counter()
for p in ('DEV', 'H1+H2'):
    print(f"{p:6s} {fmt(stats[p])}"); tot.update(stats[p])
print(f"{'all':6s} {fmt(tot)}")
for p in ('H1', 'H2'):
    if sub[p]['cases']:
        print(f"{p:6s} {fmt(sub[p])}")
if verbose:
    rules = sorted({r for (_, r) in rule_stats})
    print(f"\n{'rule':32s} {'DEV tp/fp/fn':>14s} {'H tp/fp/fn':>14s}")
    for r in rules:
        a = rule_stats[('DEV', r)]; b = rule_stats[('H1+H2', r)]
        print(f"{r:32s} {a['tp']:4d}/{a['fp']:3d}/{a['fn']:3d}   {b['tp']:4d}/{b['fp']:3d}/{b['fn']:3d}")
