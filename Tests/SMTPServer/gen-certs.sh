#!/usr/bin/env bash
# Generates a throw-away test CA and a server certificate for 127.0.0.1/localhost
# into the directory given (idempotent: does nothing when the files already exist).
# Usage: Tests/SMTPServer/gen-certs.sh <dir>
set -euo pipefail
mkdir -p "$1"
cd "$1"
[[ -s ca.pem && -s server.pem && -s server.key ]] && exit 0
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
  -keyout ca.key -out ca.pem -subj "/CN=Frontdesk Test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -sha256 -keyout server.key -out server.csr \
  -subj "/CN=localhost" 2>/dev/null
cat > server.ext <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EXT
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -days 3650 -sha256 -extfile server.ext -out server.pem 2>/dev/null
rm -f server.csr server.ext ca.srl
