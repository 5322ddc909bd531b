"""A real OpenLDAP server (Debian's slapd) on the loopback interface, for directory sign-in.

``slapd_server`` (session scope) writes a slapd.conf and an MDB database into a temporary
folder, starts /usr/sbin/slapd on a free port of 127.0.0.1, loads DIRECTORY_LDIF (some of the
seed's people, the groups below) with ldapadd, and stops the server at the end. The system's
own slapd (if any) is never touched. ``directory`` points the app at it for one test and
puts the settings back afterwards::

    from tests.ldap_server import directory, slapd_server  # noqa: F401  (fixtures)
"""
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

SLAPD = "/usr/sbin/slapd"
LDAPADD = "/usr/bin/ldapadd"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")

BASE_DN = "dc=yjj,dc=example,dc=cn"
ROOT_DN = f"cn=admin,{BASE_DN}"
ROOT_PASSWORD = "root-secret"
# The app's search account: may read people and groups, not passwords.
BIND_DN = f"cn=jxpj-search,ou=services,{BASE_DN}"
BIND_PASSWORD = "search-secret"

# (login, 姓名, 职务, directory password); the directory's passwords differ from the app's.
PEOPLE = (
    ("yuanliji", "原立吉", "科员", "Dir-yuanliji-1"),
    ("wangshixue", "王士学", "科员", "Dir-wangshixue-1"),
    ("yanhongtao", "闫洪涛", "科长", "Dir-yanhongtao-1"),
    ("renzhihua", "任志华", "副科长", "Dir-renzhihua-1"),
    ("admin", "目录里的同名账号", "", "Dir-admin-1"),
)
PASSWORDS = {login: password for login, _name, _title, password in PEOPLE}

# (group, members): two role groups, and a section's group.
GROUPS = (
    ("jxpj-staff", ("yuanliji", "wangshixue")),
    ("jxpj-office", ("yanhongtao", "renzhihua")),
    ("feimei-ke", ("yuanliji",)),
)

SETTINGS = ("LDAP_URL", "LDAP_START_TLS", "LDAP_CA_CERT_FILE", "LDAP_TIMEOUT_SECONDS", "LDAP_BIND_DN",
            "LDAP_BIND_PASSWORD", "LDAP_BASE_DN", "LDAP_USER_FILTER", "LDAP_GROUP_BASE_DN", "LDAP_GROUP_FILTER",
            "LDAP_GROUP_NAME_ATTRIBUTE", "LDAP_GROUP_ROLES", "LDAP_GROUP_SECTIONS", "LDAP_LOCAL_USERS")


def person_dn(login):
    return f"uid={login},ou=people,{BASE_DN}"


def directory_ldif():
    blocks = [
        f"dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\ndc: yjj\no: 承德市应急管理局",
        f"dn: ou=people,{BASE_DN}\nobjectClass: organizationalUnit\nou: people",
        f"dn: ou=groups,{BASE_DN}\nobjectClass: organizationalUnit\nou: groups",
        f"dn: ou=services,{BASE_DN}\nobjectClass: organizationalUnit\nou: services",
        f"dn: {BIND_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: jxpj-search\nuserPassword: {BIND_PASSWORD}",
    ]
    for login, name, title, password in PEOPLE:
        lines = [f"dn: {person_dn(login)}", "objectClass: inetOrgPerson", f"uid: {login}", f"cn: {name}",
                 f"sn: {name[0]}", f"mail: {login}@dir.example.cn", "telephoneNumber: 0314-2000000",
                 f"userPassword: {password}"]
        if title:
            lines.append(f"title: {title}")
        blocks.append("\n".join(lines))
    for group, members in GROUPS:
        blocks.append("\n".join([f"dn: cn={group},ou=groups,{BASE_DN}", "objectClass: groupOfNames", f"cn: {group}"]
                                + [f"member: {person_dn(login)}" for login in members]))
    return "\n\n".join(blocks) + "\n"


def make_certificate(folder):
    """A self-signed certificate for 127.0.0.1 (cert.pem, key.pem in ``folder``): the server's
    and, for the tests that verify it, its own CA."""
    from datetime import datetime, timedelta, timezone
    from ipaddress import ip_address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem"


def slapd_conf(folder):
    schemas = "\n".join(f"include {SCHEMA_DIR / name}.schema" for name in ("core", "cosine", "inetorgperson"))
    return f"""{schemas}
modulepath {MODULE_DIR}
TLSCertificateFile {folder / 'cert.pem'}
TLSCertificateKeyFile {folder / 'key.pem'}
moduleload back_mdb
pidfile {folder / 'slapd.pid'}
argsfile {folder / 'slapd.args'}

database mdb
maxsize 10485760
suffix "{BASE_DN}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PASSWORD}
directory {folder / 'data'}
index objectClass eq
index uid eq
index member eq

access to attrs=userPassword
    by anonymous auth
    by * none
access to *
    by dn.exact="{BIND_DN}" read
    by self read
    by * none
"""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Slapd:
    def __init__(self, folder):
        self.folder = Path(folder)
        self.port = None
        self.tls_port = None
        self.certificate = None
        self.process = None

    @property
    def url(self):
        """Plain LDAP (StartTLS offered)."""
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def tls_url(self):
        """LDAP over TLS from the first byte."""
        return f"ldaps://127.0.0.1:{self.tls_port}"

    def start(self):
        for program in (SLAPD, LDAPADD):
            if not os.path.exists(program):
                pytest.fail(f"{program} is missing: the directory tests need Debian's slapd and ldap-utils "
                            "(scripts/system-packages.sh installs them).", pytrace=False)
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        conf = self.folder / "slapd.conf"
        self.certificate = make_certificate(self.folder)
        conf.write_text(slapd_conf(self.folder))
        self.port, self.tls_port = free_port(), free_port()
        log = (self.folder / "slapd.log").open("wb")
        # -d: stay in the foreground (a child of this process, stopped by it); stats: one
        # line per operation in slapd.log, for a failing test to show.
        self.process = subprocess.Popen([SLAPD, "-f", str(conf), "-h", f"{self.url}/ {self.tls_url}/", "-d", "stats"],
                                        stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self._wait_until_listening(self.port)
        self._wait_until_listening(self.tls_port)
        ldif = self.folder / "seed.ldif"
        ldif.write_text(directory_ldif(), encoding="utf-8")
        subprocess.run([LDAPADD, "-x", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PASSWORD, "-f", str(ldif)],
                       check=True, capture_output=True, timeout=30)
        return self

    def _wait_until_listening(self, port):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd stopped at start:\n{(self.folder / 'slapd.log').read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("slapd did not listen within 15 s")

    def stop(self):
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def slapd_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("slapd")
    server = Slapd(folder).start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def use_directory(app, url, **settings):
    """Point the app's directory sign-in at ``url``; returns the settings to put back."""
    saved = {key: app.config[key] for key in SETTINGS}
    app.config.update(LDAP_URL=url, LDAP_START_TLS=False, LDAP_CA_CERT_FILE=None, LDAP_TIMEOUT_SECONDS=5,
                      LDAP_BIND_DN=BIND_DN, LDAP_BIND_PASSWORD=BIND_PASSWORD, LDAP_BASE_DN=BASE_DN,
                      LDAP_USER_FILTER="(&(objectClass=inetOrgPerson)(uid={login}))", LDAP_GROUP_BASE_DN="",
                      LDAP_GROUP_FILTER="(&(objectClass=groupOfNames)(member={dn}))",
                      LDAP_GROUP_NAME_ATTRIBUTE="cn", LDAP_GROUP_ROLES="", LDAP_GROUP_SECTIONS="",
                      LDAP_LOCAL_USERS="admin")
    app.config.update(settings)
    return saved


@pytest.fixture
def directory(app, slapd_server):
    """The app signs people in against the test's slapd (the administrator 'admin' local);
    ``directory(**settings)`` changes settings within the test."""
    saved = use_directory(app, slapd_server.url)

    def configure(**settings):
        app.config.update(settings)

    configure.server = slapd_server
    yield configure
    app.config.update(saved)
