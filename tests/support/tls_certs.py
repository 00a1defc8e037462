# SPDX-License-Identifier: Apache-2.0
"""A throw-away certificate authority and a server certificate for 127.0.0.1, made with the
`openssl` command (scripts/install-deps.sh --test installs it), for tests of https endpoints
the system does not trust.

    certs = make_test_ca(folder)
    certs.ca_pem, certs.server_pem, certs.server_key   # PEM files
    certs.ca_dir                                       # SSL_CERT_DIR layout: <hash>.0 -> the CA
"""
import os
import shutil
import subprocess


class TestCertificates:
    def __init__(self, folder):
        self.ca_pem = os.path.join(folder, "ca.pem")
        self.ca_key = os.path.join(folder, "ca.key")
        self.server_pem = os.path.join(folder, "server.pem")
        self.server_key = os.path.join(folder, "server.key")
        self.ca_dir = os.path.join(folder, "ca-dir")


def openssl(*args, cwd=None):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=60)


def make_test_ca(folder):
    """A CA (P-256, valid two days) and a server certificate it signed, with 127.0.0.1 as an
    IP subject alternative name (what a client checks, not the CN)."""
    if shutil.which("openssl") is None:
        raise RuntimeError("the openssl command is missing; run scripts/install-deps.sh --test")
    os.makedirs(folder, exist_ok=True)
    certs = TestCertificates(folder)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", certs.ca_key, "-out", certs.ca_pem, "-days", "2",
            "-subj", "/CN=xlaunch test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    request = os.path.join(folder, "server.csr")
    openssl("req", "-new", *ec, "-keyout", certs.server_key, "-out", request, "-subj", "/CN=127.0.0.1")
    extensions = os.path.join(folder, "server.ext")
    with open(extensions, "w", encoding="utf-8") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", request, "-CA", certs.ca_pem, "-CAkey", certs.ca_key, "-CAcreateserial",
            "-out", certs.server_pem, "-days", "2", "-extfile", extensions)
    # OpenSSL finds a CA in a directory by its subject hash: <hash>.0, as `openssl rehash` names it.
    subject_hash = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", certs.ca_pem], check=True,
                                  capture_output=True, text=True, timeout=60).stdout.strip()
    os.makedirs(certs.ca_dir, exist_ok=True)
    shutil.copyfile(certs.ca_pem, os.path.join(certs.ca_dir, subject_hash + ".0"))
    return certs
