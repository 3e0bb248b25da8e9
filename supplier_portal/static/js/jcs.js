// RFC 8785 JSON Canonicalization Scheme. ECMAScript's own number and string serialisation is what the
// RFC specifies (section 3.2.2), and object members are sorted by their UTF-16 code units (3.2.3).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function canonicalize(value) {
  if (value === null || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("JCS: NaN and Infinity are not JSON");
    return JSON.stringify(value); // Number::toString; -0 becomes "0"
  }
  if (typeof value === "string") {
    if (LONE_SURROGATE.test(value)) throw new TypeError("JCS: string holds a lone surrogate");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return "[" + value.map(canonicalize).join(",") + "]";
  if (typeof value === "object") {
    const keys = Object.keys(value).sort(); // default sort compares UTF-16 code units
    return "{" + keys.map((k) => {
      if (value[k] === undefined) throw new TypeError("JCS: undefined member " + k);
      return canonicalize(k) + ":" + canonicalize(value[k]);
    }).join(",") + "}";
  }
  throw new TypeError("JCS: not a JSON value: " + typeof value);
}

export function canonicalBytes(value) {
  return new TextEncoder().encode(canonicalize(value));
}
