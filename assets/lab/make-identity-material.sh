#!/usr/bin/env bash
# Regenerates the TEST-ONLY identity material of the demo lab. Not run by the
# build: the outputs are committed. Every key here is public and protects
# nothing; it exists so that the identity lab apps and
# sample-projects/identity-lab can be probed repeatably.
#
# Writes (rcgen and ring, through an ignored test, so dates can be in the past):
#   assets/lab/attestation-authority.key        lab attestation authority (P-256)
#   assets/lab/signing-client.pub.pem           public half of the signing test key
#   sample-projects/identity-lab/secrets/
#     client.pem, client.key                    client cert from the lab issuing CA, 10 years
#     expired-client.pem, expired-client.key    the same CA, expired 2024-03-31
#     signing.key                               request-signing test key (PKCS#8)
#     attestation-token.txt                     ES256 token from the lab authority, 20 years
#
# The client certificates chain to assets/lab/root-ca.pem through the issuing
# CA whose key is assets/lab/intermediate-ca.key (make-static-pki.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
STRATA_WRITE_IDENTITY_MATERIAL=1 cargo test --test identity regenerate_identity_material -- --ignored --exact
