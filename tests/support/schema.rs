//! The vendored OpenAPI subset (`assets/openapi-subset.json`) as JSON-schema validators.
use serde_json::{Value, json};

/// A validator for `#/definitions/{name}` of `assets/openapi-subset.json`.
pub fn schema(name: &str) -> jsonschema::Validator {
    let path = format!("{}/assets/openapi-subset.json", env!("CARGO_MANIFEST_DIR"));
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let root = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": spec["definitions"],
        "$ref": format!("#/definitions/{name}"),
    });
    jsonschema::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap()
}

/// Panics with every violation when `value` does not match.
pub fn assert_valid(validator: &jsonschema::Validator, value: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match the schema:\n{}\n{value:#}",
        errors.join("\n")
    );
}
