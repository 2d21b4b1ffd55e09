//! Content digests of JSON values: key order does not matter, nothing is allocated, and the
//! result is the same on every platform. Plans compare large `member_ids` and `meta` values
//! through them instead of keeping copies.

use serde_json::Value;

/// A 64-bit mix (from SplitMix64): cheap and well spread, stable across platforms.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub(crate) fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = mix(seed ^ bytes.len() as u64);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = mix(h ^ u64::from_le_bytes(word));
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    mix(h ^ u64::from_le_bytes(tail) ^ 0xff)
}

/// The digest of a JSON value: key order does not matter (object entries are combined
/// commutatively), nothing is allocated, and the result is the same on every platform.
pub(crate) fn digest_value(v: &Value) -> u64 {
    match v {
        Value::Null => mix(1),
        Value::Bool(b) => mix(2 + u64::from(*b)),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => mix(4 ^ mix(i as u64)),
            (None, Some(u), _) => mix(4 ^ mix(u)),
            (None, None, Some(f)) => mix(5 ^ mix(f.to_bits())),
            _ => mix(6),
        },
        Value::String(s) => hash_bytes(7, s.as_bytes()),
        Value::Array(items) => digest_list(items),
        Value::Object(map) => object_digest(
            map.iter().map(|(k, item)| (k.as_str(), digest_value(item))),
            map.len(),
        ),
    }
}

pub(crate) fn digest_of(value: Option<&Value>) -> u64 {
    value.map_or(0, digest_value)
}

pub(crate) fn digest_list(items: &[Value]) -> u64 {
    items.iter().fold(list_start(items.len()), |h, item| {
        list_add(h, digest_value(item))
    })
}

/// The start of an array's digest (of `len` items).
pub(crate) fn list_start(len: usize) -> u64 {
    mix(8 ^ len as u64)
}

/// The next item of an array's digest.
pub(crate) fn list_add(h: u64, item: u64) -> u64 {
    mix(h ^ item)
}

/// The digest of an object from its entries' digests (commutative: order does not matter).
pub(crate) fn object_digest<'a>(entries: impl Iterator<Item = (&'a str, u64)>, len: usize) -> u64 {
    let mut sum = 0u64;
    for (k, d) in entries {
        sum = sum.wrapping_add(mix(hash_bytes(9, k.as_bytes()) ^ d.rotate_left(17)));
    }
    mix(10 ^ sum ^ (len as u64).rotate_left(32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_does_not_matter_and_content_does() {
        let a = json!({"a": 1, "b": [1, 2, {"x": "y"}]});
        let b: Value = serde_json::from_str(r#"{"b": [1, 2, {"x": "y"}], "a": 1}"#).expect("json");
        assert_eq!(digest_value(&a), digest_value(&b));
        for other in [
            json!({"a": 1, "b": [2, 1, {"x": "y"}]}),
            json!({"a": "1", "b": [1, 2, {"x": "y"}]}),
            json!({"a": 1}),
        ] {
            assert_ne!(digest_value(&a), digest_value(&other), "{other}");
        }
        assert_ne!(digest_of(None), digest_value(&json!(null)));
    }
}
