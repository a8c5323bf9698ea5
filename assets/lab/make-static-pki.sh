#!/usr/bin/env bash
# Regenerates the lab's *static* test-only key material. Not run by the build:
# the outputs are committed so that the lab's SPKI pins are stable across runs
# (sample projects pin them). Every key here is public, for the demo lab only.
#
# Leaf and intermediate certificates are NOT here: the lab issues them at
# start-up from these keys, with validity relative to "now" (expired,
# not-yet-valid, expiring soon...). Only the legacy chains (RSA-1024 CA and a
# SHA-1 signature) are static, because rcgen with ring can neither sign with a
# 1024-bit RSA key nor produce SHA-1 signatures.
set -euo pipefail
cd "$(dirname "$0")"
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# Root CA: the trust anchor that sample projects name in `trust.ca_file`.
ec root-ca.key
openssl req -x509 -new -key root-ca.key -sha256 -days 7300 \
  -subj "/O=Strata Lab/CN=Strata Lab Root CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out root-ca.pem
ec intermediate-ca.key
ec service.key        # every lab service leaf (stable pin)
ec backup.key         # a key that is never deployed: the "backup pin"
ec self-signed.key

# Legacy chain 1: an RSA-1024 CA (weak key) issuing a P-256 leaf.
openssl genrsa -out weak-ca.key 1024 2>/dev/null
openssl req -x509 -new -key weak-ca.key -sha256 -days 7300 \
  -subj "/O=Strata Lab/CN=Strata Lab Legacy RSA-1024 CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out weak-ca.pem
# Legacy chain 2: an RSA-2048 CA that signs its leaf with SHA-1.
openssl genrsa -out sha1-ca.key 2048 2>/dev/null
openssl req -x509 -new -key sha1-ca.key -sha256 -days 7300 \
  -subj "/O=Strata Lab/CN=Strata Lab Legacy SHA-1 CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out sha1-ca.pem
ec legacy-leaf.key
leaf() { # name ca digest
  cat > ext.cnf <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:$1.lab.strata.test
EXT
  openssl req -new -key legacy-leaf.key -subj "/O=Strata Lab/CN=$1.lab.strata.test" -out leaf.csr
  openssl x509 -req -in leaf.csr -CA "$2.pem" -CAkey "$2.key" -CAcreateserial \
    -"$3" -days 7000 -extfile ext.cnf -out "$1.pem" 2>/dev/null
  rm -f leaf.csr ext.cnf "$2.srl"
}
leaf weak-key weak-ca sha256
leaf sha1-signature sha1-ca sha1
