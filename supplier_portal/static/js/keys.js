// The organisation's Ed25519 key in this browser: WebCrypto keys kept in IndexedDB (non-extractable),
// did:key / Multikey encoding, and the password-encrypted backup in the CLI's key-file format
// (PKCS#8, AES-256-GCM under PBKDF2-HMAC-SHA256, 600,000 iterations; see docs/credentials.md).
import { multibaseDecode, multibaseEncode } from "./base58.js";

const DB = "tanlian-keys";
const STORE = "keys";
export const PBKDF2_ITERATIONS = 600000;
const MAX_ITERATIONS = 10000000;
const ED25519_PUB = [0xed, 0x01];

const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export function webCryptoEd25519() {
  return Boolean(globalThis.crypto && crypto.subtle && window.indexedDB);
}

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "did" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(mode, action) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export const loadKey = (did) => withStore("readonly", (store) => store.get(did));
export const saveKey = (record) => withStore("readwrite", (store) => store.put(record));

export async function publicKeyMultibase(publicKey) {
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", publicKey));
  return multibaseEncode(new Uint8Array([...ED25519_PUB, ...raw]));
}

/** A new key pair, extractable only until finalise() so that a backup can be made first. */
export async function generate() {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  const multibase = await publicKeyMultibase(pair.publicKey);
  return { pair, multibase, did: "did:key:" + multibase };
}

async function deriveAesKey(password, salt, iterations) {
  const material = await crypto.subtle.importKey(
    "raw", new TextEncoder().encode(password.normalize("NFC")), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations }, material,
    { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

/** The key file (JSON text) of a generated, still extractable key, encrypted under the password. */
export async function backupFile(generated, password) {
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", generated.pair.privateKey));
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  try {
    const aes = await deriveAesKey(password, salt, PBKDF2_ITERATIONS);
    const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, aes, pkcs8); // ciphertext || tag
    return JSON.stringify({
      format: "tanlian-ed25519-key",
      version: 1,
      did: generated.did,
      publicKeyMultibase: generated.multibase,
      privateKey: {
        encoding: "pkcs8",
        encryption: {
          name: "AES-GCM", length: 256, iv: b64(iv),
          kdf: { name: "PBKDF2", hash: "SHA-256", iterations: PBKDF2_ITERATIONS, salt: b64(salt) },
        },
        data: b64(data),
      },
    }, null, 2) + "\n";
  } finally {
    pkcs8.fill(0);
  }
}

/** Store the key for good: the private key is re-imported non-extractable and the extractable one dropped. */
export async function finalise(generated) {
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", generated.pair.privateKey));
  let privateKey;
  try {
    privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
  } finally {
    pkcs8.fill(0);
  }
  const record = { did: generated.did, multibase: generated.multibase, privateKey,
                   publicKey: generated.pair.publicKey, created: new Date().toISOString() };
  await saveKey(record);
  generated.pair = null;
  return record;
}

export class KeyFileError extends Error {
  constructor(kind, detail) { super(detail); this.kind = kind; }
}

/** Decrypt a key file and store its key (non-extractable); checks it is the key of expectedDid. */
export async function importBackup(text, password, expectedDid) {
  let file;
  try { file = JSON.parse(text); } catch { throw new KeyFileError("badFile", "not JSON"); }
  const enc = file && file.privateKey && file.privateKey.encryption;
  if (!file || file.format !== "tanlian-ed25519-key" || file.version !== 1 || !enc
      || file.did !== "did:key:" + file.publicKeyMultibase || enc.name !== "AES-GCM" || enc.length !== 256
      || !enc.kdf || enc.kdf.name !== "PBKDF2" || enc.kdf.hash !== "SHA-256"
      || !(enc.kdf.iterations >= PBKDF2_ITERATIONS && enc.kdf.iterations <= MAX_ITERATIONS)) {
    throw new KeyFileError("badFile", "not an encrypted tanlian key file");
  }
  if (file.did !== expectedDid) throw new KeyFileError("wrongDid", file.did);
  const multikey = multibaseDecode(file.publicKeyMultibase);
  if (multikey.length !== 34 || multikey[0] !== 0xed || multikey[1] !== 0x01) {
    throw new KeyFileError("badFile", "publicKeyMultibase is not an Ed25519 Multikey");
  }
  let pkcs8;
  try {
    const aes = await deriveAesKey(password, unb64(enc.kdf.salt), enc.kdf.iterations);
    pkcs8 = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(enc.iv) }, aes,
                                                       unb64(file.privateKey.data)));
  } catch {
    throw new KeyFileError("badPassword", "decryption failed");
  }
  let privateKey;
  try {
    privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
  } finally {
    pkcs8.fill(0);
  }
  const publicKey = await crypto.subtle.importKey("raw", multikey.slice(2), { name: "Ed25519" }, true, ["verify"]);
  const probe = crypto.getRandomValues(new Uint8Array(32));
  const signature = await crypto.subtle.sign({ name: "Ed25519" }, privateKey, probe);
  if (!(await crypto.subtle.verify({ name: "Ed25519" }, publicKey, signature, probe))) {
    throw new KeyFileError("badFile", "the private key does not match publicKeyMultibase");
  }
  const record = { did: file.did, multibase: file.publicKeyMultibase, privateKey, publicKey,
                   created: new Date().toISOString() };
  await saveKey(record);
  return record;
}
