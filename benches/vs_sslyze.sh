#!/usr/bin/env bash
# Side-by-side benchmark: Strata's suite enumeration (`strata tls-scan`)
# against sslyze on the same 16 lab endpoints (11 rustls scenarios and 5
# real `openssl s_server`s), alternating, ROUNDS times each. Prints wall
# time and peak memory (/usr/bin/time -v) of every run, the medians and
# their ratio, the suites tested per host by each, and a per-finding table
# of what each tool detected (sslyze's --json_out parsed with python3).
#
# Needs: a release build (cargo build --release), python3 with venv,
# openssl (for the lab's s_server targets), /usr/bin/time. sslyze is
# installed from PyPI into target/bench-venv on the first run.
#
# Usage: benches/vs_sslyze.sh [ROUNDS]   (default 3)
set -euo pipefail

ROUNDS="${1:-3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STRATA="$ROOT/target/release/strata"
VENV="$ROOT/target/bench-venv"
OUT="$ROOT/target/bench-vs-sslyze"
BASE=28443
mkdir -p "$OUT"

[ -x "$STRATA" ] || { echo "build first: cargo build --release" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
if [ ! -x "$VENV/bin/sslyze" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet sslyze
fi
SSLYZE_VERSION="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("sslyze"))')"

# The lab, on its default ports; stopped on exit.
"$STRATA" lab --base-port "$BASE" --manifest "$OUT/manifest.json" >"$OUT/lab.log" 2>&1 &
LAB=$!
trap 'kill "$LAB" 2>/dev/null; wait "$LAB" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    [ -s "$OUT/manifest.json" ] && break
    sleep 0.2
done
[ -s "$OUT/manifest.json" ] || { echo "the lab did not start; see $OUT/lab.log" >&2; exit 2; }

# The 16 TLS endpoints: every in-process certificate scenario and every
# openssl one (not the HTTP-application scenarios).
mapfile -t TARGETS < <(python3 - "$OUT/manifest.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
for s in m["servers"]:
    if s["default_port"] - 18443 < 16:
        print(f"127.0.0.1:{s['port']}")
EOF
)
# Every endpoint must accept connections before the first round.
python3 - "${TARGETS[@]}" <<'EOF'
import socket, sys, time
deadline = time.time() + 15
for t in sys.argv[1:]:
    host, port = t.rsplit(":", 1)
    while True:
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            break
        except OSError:
            if time.time() > deadline:
                sys.exit(f"{t} does not accept connections")
            time.sleep(0.2)
EOF
echo "endpoints: ${#TARGETS[@]}; sslyze $SSLYZE_VERSION; $(nproc) cores"

SSLYZE_ARGS=(--sslv2 --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3 --elliptic_curves --mozilla_config=disable)

measure() { # name round command...
    local name="$1" round="$2"
    shift 2
    /usr/bin/time -v -o "$OUT/$name-$round.time" "$@" >"$OUT/$name-$round.log" 2>&1 || true
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$OUT/$name-$round.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/$name-$round.time")
    printf '%-7s round %d: wall %s, peak RSS %s KiB\n' "$name" "$round" "$wall" "$rss"
}

for round in $(seq 1 "$ROUNDS"); do
    measure strata "$round" "$STRATA" tls-scan --parallel 8 --json "$OUT/strata-$round.json" "${TARGETS[@]}"
    measure sslyze "$round" "$VENV/bin/sslyze" "${SSLYZE_ARGS[@]}" --json_out="$OUT/sslyze-$round.json" "${TARGETS[@]}"
done

python3 - "$OUT" "$ROUNDS" <<'EOF'
import json, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])

def seconds(path):
    text = open(path).read()
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", text)
    h, mnt, s = m.groups()
    return int(h or 0) * 3600 + int(mnt) * 60 + float(s)

def rss(path):
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(path).read()).group(1))

wall = {t: [seconds(f"{out}/{t}-{r}.time") for r in range(1, rounds + 1)] for t in ("strata", "sslyze")}
mem = {t: [rss(f"{out}/{t}-{r}.time") for r in range(1, rounds + 1)] for t in ("strata", "sslyze")}
ms, mq = statistics.median(wall["strata"]), statistics.median(wall["sslyze"])
print(f"\nmedian wall: strata {ms:.2f} s, sslyze {mq:.2f} s; strata/sslyze = {ms / mq:.3f} (sslyze is {mq / ms:.1f}x slower)")
print(f"median peak RSS: strata {statistics.median(mem['strata']) / 1024:.1f} MiB, sslyze {statistics.median(mem['sslyze']) / 1024:.1f} MiB")

strata = {e["target"]: e.get("facts") for e in json.load(open(f"{out}/strata-{rounds}.json"))}
sslyze_doc = json.load(open(f"{out}/sslyze-{rounds}.json"))
VERS = [("ssl_2_0_cipher_suites", "SSL 2.0"), ("ssl_3_0_cipher_suites", "SSL 3.0"), ("tls_1_0_cipher_suites", "TLS 1.0"),
        ("tls_1_1_cipher_suites", "TLS 1.1"), ("tls_1_2_cipher_suites", "TLS 1.2"), ("tls_1_3_cipher_suites", "TLS 1.3")]
sslyze = {}
for r in sslyze_doc["server_scan_results"]:
    loc = r["server_location"]
    target = f"{loc['ip_address']}:{loc['port']}"
    res = r.get("scan_result") or {}
    per, tested, dhe, curves = {}, 0, [], None
    for key, label in VERS:
        attempt = res.get(key) or {}
        result = attempt.get("result") or {}
        acc = result.get("accepted_cipher_suites") or []
        rej = result.get("rejected_cipher_suites") or []
        tested += len(acc) + len(rej)
        per[label] = [a["cipher_suite"]["name"] for a in acc]
        for a in acc:
            k = a.get("ephemeral_key") or {}
            if k.get("type_name") == "DH" or (k.get("type") == 28):
                dhe.append(k.get("size"))
    ec = ((res.get("elliptic_curves") or {}).get("result") or {})
    if ec.get("supported_curves") is not None:
        curves = [c["name"] for c in ec["supported_curves"]]
    sslyze[target] = {"per": per, "tested": tested, "dhe": dhe, "curves": curves}

def s_findings(f):
    acc = [a for a in f["accepted"]]
    protos = set(f["protocols"])
    return {
        "SSL 2.0": f.get("ssl2") is True, "SSL 3.0": "SSL 3.0" in protos, "TLS 1.0": "TLS 1.0" in protos,
        "TLS 1.1": "TLS 1.1" in protos, "TLS 1.3": "TLS 1.3" in protos,
        "RC4": bool(f["rc4"]), "3DES/64-bit": bool(f["sweet32"]), "NULL": bool(f["null_cipher"]),
        "anon": bool(f["anonymous"]), "EXPORT": bool(f["export"]), "CBC@TLS1.0": bool(f["beast"]),
        "no-FS suite": bool(f["no_forward_secrecy"]),
        "DHE<2048": f["dhe_bits"] is not None and f["dhe_bits"] < 2048,
    }

def q_findings(q):
    per = q["per"]
    names = [n for v in per.values() for n in v]
    has = lambda pat: any(re.search(pat, n) for n in names)
    return {
        "SSL 2.0": bool(per.get("SSL 2.0")), "SSL 3.0": bool(per.get("SSL 3.0")), "TLS 1.0": bool(per.get("TLS 1.0")),
        "TLS 1.1": bool(per.get("TLS 1.1")), "TLS 1.3": bool(per.get("TLS 1.3")),
        "RC4": has(r"RC4"), "3DES/64-bit": has(r"3DES|_DES_|DES40|RC2|IDEA"), "NULL": has(r"WITH_NULL|NULL_WITH"),
        "anon": has(r"_anon_"), "EXPORT": has(r"EXPORT"),
        "CBC@TLS1.0": any("CBC" in n for n in per.get("TLS 1.0", [])),
        "no-FS suite": any(n.startswith(("TLS_RSA_WITH", "TLS_ECDH_RSA", "TLS_ECDH_ECDSA", "TLS_DH_RSA", "TLS_DH_DSS", "TLS_PSK", "TLS_RSA_PSK")) for n in names),
        "DHE<2048": any(s is not None and s < 2048 for s in q["dhe"]),
    }

print(f"\nsuites tested per host (round {rounds}) and accepted-suite agreement:")
print(f"{'endpoint':<18} {'strata tested':>13} {'hellos':>7} {'sslyze tested':>13}  same accepted suites?")
keys = None
rows = []
for target in sorted(strata, key=lambda t: int(t.rsplit(':', 1)[1])):
    f, q = strata[target], sslyze.get(target)
    if not f or not q:
        print(f"{target:<18} missing on one side")
        continue
    same = []
    for label in ["SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"]:
        mine = set()
        for v in f["versions"]:
            if v["version"] == label:
                mine = set(v["suites"])
        if label == "TLS 1.3":
            mine = set(f["tls13_suites"])
        theirs = set(q["per"].get(label, []))
        if mine != theirs:
            same.append(f"{label}: strata-only {sorted(mine - theirs)[:3]} sslyze-only {sorted(theirs - mine)[:3]}")
    print(f"{target:<18} {f['suites_tested']:>13} {f['hellos']:>7} {q['tested']:>13}  {'yes' if not same else '; '.join(same)}")
    sf, qf = s_findings(f), q_findings(q)
    keys = list(sf)
    rows.append((target, sf, qf))

print("\nper-finding table (S = Strata detected, Q = sslyze detected, '-' neither):")
print(f"{'endpoint':<18} " + " ".join(f"{k:>11}" for k in keys))
for target, sf, qf in rows:
    cells = []
    for k in keys:
        s, q = sf[k], qf[k]
        cells.append(f"{('S' if s else '') + ('Q' if q else '') or '-':>11}")
    print(f"{target:<18} " + " ".join(cells))
EOF
