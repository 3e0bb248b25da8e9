// W3C Data Integrity eddsa-jcs-2022 (Data Integrity EdDSA Cryptosuites v1.0, section 3.3):
// proof configuration and document canonicalised with RFC 8785, hashData = SHA-256(proofConfig) ||
// SHA-256(document), Ed25519 signature, proofValue in multibase base58-btc. The same bytes as the CLI.
import { multibaseEncode } from "./base58.js";
import { canonicalBytes } from "./jcs.js";

export const VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2";

export function xsdDateTimeNow() {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z"); // UTC, whole seconds
}

const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));

/** §3.3.1 Create Proof, for a key record {did, multibase, privateKey}. Returns the secured document. */
export async function sign(unsecured, key, created = xsdDateTimeNow()) {
  if ("proof" in unsecured) throw new Error("document already has a proof");
  const proof = {
    type: "DataIntegrityProof",
    cryptosuite: "eddsa-jcs-2022",
    created,
    verificationMethod: key.did + "#" + key.multibase,
    proofPurpose: "assertionMethod",
  };
  if ("@context" in unsecured) proof["@context"] = unsecured["@context"];
  const proofConfigHash = await sha256(canonicalBytes(proof));
  const documentHash = await sha256(canonicalBytes(unsecured));
  const hashData = new Uint8Array([...proofConfigHash, ...documentHash]);
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key.privateKey, hashData));
  proof.proofValue = multibaseEncode(signature);
  return { ...unsecured, proof };
}
