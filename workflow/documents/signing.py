"""The department's PAdES signature on the reports frozen at approval, and its check.

sign(pdf) adds an invisible PAdES signature (pyHanko, an incremental update: the rendered
bytes stay as they were, the signature is appended) by the department's key; verify(pdf)
says whether a PDF carries a signature, whether it is this system's certificate that made
it, and whether the signed bytes are untouched and cover the whole file.

The key is a PKCS#12 file. An office with a certificate of its own configures it
(DOCUMENT_SIGNING_P12, DOCUMENT_SIGNING_P12_PASSWORD); without one the default is a
self-signed certificate in the department's name kept under instance/signing/, made once by
scripts/signing_key.py at set-up (and made here on first use if set-up was skipped, so an
approval never fails for want of it). A configured file that cannot be read is never
replaced: that approval fails loudly instead (SigningKeyError).
"""
import hashlib
import io
import logging
import os
import re
import secrets
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

LOGGER = logging.getLogger(__name__)

DEFAULT_FOLDER = "signing"
DEFAULT_P12 = "department.p12"
PASSWORD_SUFFIX = ".password"
FALLBACK_NAME = "绩效评价工作台"   # only when neither DEPARTMENT_NAME nor the plan's title names the department
VALIDITY_DAYS = 365 * 30   # the reports are kept for decades; the key is the office's own
KEY_BITS = 3072
FIELD_NAME = "DepartmentSignature"
SIGNATURE_REASON = "绩效评价报告审定"

_CACHE = {}
_CACHE_LOCK = threading.Lock()


class SigningKeyError(RuntimeError):
    """The configured signing key cannot be used (missing file, wrong password)."""


@dataclass(frozen=True)
class SigningKey:
    signer: object            # pyhanko SimpleSigner
    certificate: object       # asn1crypto x509.Certificate
    fingerprint: str          # SHA-256 of the certificate's DER, hex
    subject: str              # the certificate's subject, as people read it


@dataclass(frozen=True)
class Verification:
    """What a PDF's signature says. ``signed``: it carries a signature pyHanko (or, for a
    damaged file, a plain scan of its bytes) could find; ``ours``: made by this system's
    certificate; ``intact``: the signed bytes hash to what was signed and the signature
    checks against the certificate; ``whole_file``: it covers every byte of the file;
    ``trusted``: the certificate validates against this system's certificate as the trust
    anchor; ``readable``: pyHanko could parse the file."""

    signed: bool = False
    ours: bool = False
    intact: bool = False
    whole_file: bool = False
    trusted: bool = False
    readable: bool = True
    signer: str = ""
    signed_at: datetime | None = None

    @property
    def sound(self):
        """Untouched since this system signed it: ours, intact, and covering the whole file."""
        return self.ours and self.intact and self.whole_file


# Making the default key ----------------------------------------------------------------------


def default_paths(instance_dir):
    folder = Path(instance_dir) / DEFAULT_FOLDER
    return folder / DEFAULT_P12, folder / (DEFAULT_P12 + PASSWORD_SUFFIX)


def make_pkcs12(name, password, *, days=VALIDITY_DAYS):
    """A PKCS#12 archive with a new RSA key and a self-signed certificate whose subject is
    ``name`` (O and CN), for digital signatures and non-repudiation, valid for ``days``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
    ])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        name.encode("utf-8"), key, certificate, None,
        serialization.BestAvailableEncryption(password.encode("utf-8")),
    )


def _write_new(path, data):
    """Write ``data`` to ``path`` (mode 0600) only if it does not exist yet: written to a
    temporary file and linked into place, so two processes making the key at once keep one."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".new-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o600)
        os.link(temporary, path)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(temporary)


def ensure_default_key(instance_dir, name):
    """Make the default key under ``instance_dir`` if it is missing; True when made now.
    The password file is written first: a p12 that exists always has its password beside it."""
    p12_path, password_path = default_paths(instance_dir)
    if p12_path.exists():
        return False
    p12_path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(p12_path.parent, 0o700)
    _write_new(password_path, secrets.token_urlsafe(32).encode("ascii"))
    password = password_path.read_text().strip()
    made = _write_new(p12_path, make_pkcs12(name or FALLBACK_NAME, password))
    if made:
        LOGGER.info("made the default signing key %s for %s", p12_path, name or FALLBACK_NAME)
    return made


# Loading the key ---------------------------------------------------------------------------


def _signer_class():
    """pyHanko's SimpleSigner, keeping the private key loaded. SimpleSigner loads the key
    into cryptography at every signature, and loading an RSA key checks it, which costs
    far more than the signature itself."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.sign.general import get_pyca_cryptography_hash
    from pyhanko.sign.signers import SimpleSigner

    class KeptKeySigner(SimpleSigner):
        _private_key = None

        def sign_raw(self, data, digest_algorithm):
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            if self._private_key is None:
                self._private_key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
            key, hash_algorithm = self._private_key, get_pyca_cryptography_hash(digest_algorithm)
            if mechanism == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
                return key.sign(data, PKCS1v15(), hash_algorithm)
            if mechanism == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
                return key.sign(data, ECDSA(hash_algorithm))
            return super().sign_raw(data, digest_algorithm)   # the rarer kinds, as pyHanko does them

    return KeptKeySigner


def subject_name(certificate):
    """The name people read: the subject's CN (or O), else the whole subject."""
    native = certificate.subject.native
    return native.get("common_name") or native.get("organization_name") or certificate.subject.human_friendly


def _load(path, password):
    from pyhanko.sign.signers import SimpleSigner

    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise SigningKeyError(f"the signing key {path} cannot be read: {error}") from error
    try:
        loaded = SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=password)
    except ValueError as error:
        raise SigningKeyError(f"the signing key {path} cannot be opened (wrong password?)") from error
    signer = _signer_class()(signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
                             cert_registry=loaded.cert_registry)
    certificate = signer.signing_cert
    return SigningKey(signer, certificate, hashlib.sha256(certificate.dump()).hexdigest(), subject_name(certificate))


def load_key(path, password):
    """The SigningKey of the PKCS#12 at ``path``, kept per process while the file is
    unchanged (opening a PKCS#12 is deliberately slow)."""
    try:
        stat = os.stat(path)
    except OSError as error:
        raise SigningKeyError(f"the signing key {path} does not exist") from error
    cache_key = (str(path), stat.st_mtime_ns, stat.st_size, password)
    with _CACHE_LOCK:
        key = _CACHE.get(cache_key)
        if key is None:
            key = _load(path, password)
            _CACHE.clear()
            _CACHE[cache_key] = key
    return key


def current_key(department=None, create=True):
    """The key of this installation: the configured PKCS#12, or the default one (made now
    in ``department``'s name, or DEPARTMENT_NAME's, if set-up did not make it). With
    ``create=False`` a missing default key is None: checking a PDF makes no key."""
    from flask import current_app

    config = current_app.config
    configured = config.get("DOCUMENT_SIGNING_P12")
    if configured:
        password = config.get("DOCUMENT_SIGNING_P12_PASSWORD")
        return load_key(configured, password.encode("utf-8") if password else None)
    p12_path, password_path = default_paths(current_app.instance_path)
    if not create and not p12_path.exists():
        return None
    try:
        if not p12_path.exists():
            ensure_default_key(current_app.instance_path, config.get("DEPARTMENT_NAME") or department)
        password = password_path.read_text().strip()
    except OSError as error:   # an instance folder the app may not write or read
        raise SigningKeyError(f"the default signing key {p12_path} cannot be made or read: {error}") from error
    return load_key(p12_path, password.encode("utf-8"))


# Signing -----------------------------------------------------------------------------------


def sign(pdf_bytes, key=None, *, department=None):
    """``pdf_bytes`` with the department's PAdES signature appended (an incremental update:
    the rendered bytes are kept as they are and the signature covers all of them)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    key = key or current_key(department)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=SIGNATURE_REASON,
        name=key.subject,
    )
    output = signers.sign_pdf(writer, metadata, signer=key.signer, bytes_reserved=_reserved_bytes(key))
    return output.getvalue()


# Room for the CMS object beside its certificates: the signed attributes, the signature value
# (512 bytes for RSA-4096) and the DER framing come to about 1 KiB.
_CMS_MARGIN = 4096


def _reserved_bytes(key):
    """The room to leave for the signature. Without it pyHanko signs once more just to
    measure the signature's size, doubling the cost of every signature."""
    chain = [key.signer.signing_cert, *key.signer.cert_registry]
    return _CMS_MARGIN + sum(len(certificate.dump()) for certificate in chain)


# Verifying ---------------------------------------------------------------------------------

# A signature dictionary's /Contents: the CMS object, hex-encoded. Read this way when the
# file is too damaged for pyHanko to open, to still tell whose signature it carried.
_CONTENTS = re.compile(rb"/Contents\s*<([0-9A-Fa-f\s]{200,})>")


def _raw_signers(pdf_bytes):
    """The signer certificates' fingerprints found by scanning the bytes for signatures."""
    from asn1crypto import cms

    found = []
    for match in _CONTENTS.finditer(pdf_bytes):
        try:
            blob = bytes.fromhex(re.sub(rb"\s", b"", match.group(1)).decode("ascii"))
            signed = cms.ContentInfo.load(blob.rstrip(b"\0"), strict=False)["content"]
            for certificate in signed["certificates"]:
                found.append((hashlib.sha256(certificate.chosen.dump()).hexdigest(), subject_name(certificate.chosen)))
        except Exception:  # noqa: BLE001 - anything unreadable is simply not a signature
            continue
    return found


def _damaged(pdf_bytes, key):
    """The Verification of a file pyHanko cannot open."""
    found = _raw_signers(pdf_bytes)
    ours = [subject for fingerprint, subject in found if key is not None and fingerprint == key.fingerprint]
    if ours:
        return Verification(signed=True, ours=True, readable=False, signer=ours[0])
    return Verification(signed=bool(found), readable=False, signer=found[0][1] if found else "")


def verify(pdf_bytes, key=None):
    """The Verification of ``pdf_bytes`` against this system's certificate (none yet when the
    default key has not been made: then no signature is ours). Never raises on bad input:
    what cannot be read is reported as such."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    key = key or current_key(create=False)
    try:
        signatures = PdfFileReader(io.BytesIO(pdf_bytes), strict=False).embedded_signatures
    except Exception:  # noqa: BLE001 - garbage or a PDF pyHanko cannot parse
        return _damaged(pdf_bytes, key)
    if not signatures:
        return _damaged(pdf_bytes, key) if _raw_signers(pdf_bytes) else Verification()
    # The last signature by our certificate speaks; otherwise the first one found.
    chosen = None
    for embedded in signatures:
        try:
            if key is not None and hashlib.sha256(embedded.signer_cert.dump()).hexdigest() == key.fingerprint:
                chosen = embedded
        except Exception:  # noqa: BLE001 - a signature whose CMS cannot be read
            continue
    if chosen is None:
        try:
            subject = subject_name(signatures[0].signer_cert)
        except Exception:  # noqa: BLE001
            subject = ""
        return Verification(signed=True, signer=subject)
    try:
        context = ValidationContext(trust_roots=[key.certificate], allow_fetching=False)
        status = validate_pdf_signature(chosen, context)
    except Exception:  # noqa: BLE001 - a signature too damaged to check is not intact
        LOGGER.info("a signature by this system's certificate could not be checked", exc_info=True)
        return Verification(signed=True, ours=True, signer=key.subject)
    return Verification(
        signed=True, ours=True,
        intact=bool(status.intact and status.valid),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=bool(status.trusted),
        signer=subject_name(status.signing_cert),
        signed_at=chosen.self_reported_timestamp,
    )
