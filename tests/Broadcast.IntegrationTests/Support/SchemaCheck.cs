using System.Text.Json;
using Microsoft.OpenApi;

namespace Broadcast.IntegrationTests.Support;

/// <summary>
/// Checks a JSON value against a schema of the OpenAPI document, as far as the document uses
/// JSON Schema: types (a null where the type allows it), required properties, every property
/// sent being declared (strict; problem+json may carry extensions), array items, map values and
/// <c>oneOf</c>. Enough to tell whether the document describes what the server really sends.
/// </summary>
public static class SchemaCheck
{
    /// <summary>Every mismatch, each with the JSON path where it is; empty when the value fits.</summary>
    /// <param name="strict">A property the schema does not declare (and no <c>additionalProperties</c> allows) is a mismatch.</param>
    public static List<string> Mismatches(JsonElement value, IOpenApiSchema schema, bool strict = true)
    {
        var mismatches = new List<string>();
        Check(value, schema, "$", strict, mismatches);
        return mismatches;
    }

    private static void Check(JsonElement value, IOpenApiSchema schema, string path, bool strict, List<string> mismatches)
    {
        if (schema is { Type: null, OneOf: null or { Count: 0 }, Properties: null or { Count: 0 }, Items: null, AdditionalProperties: null })
            return; // {}: any JSON
        if (schema.OneOf is { Count: > 0 } alternatives)
        {
            var fitting = alternatives.Count(alternative => Mismatches(value, alternative, strict).Count == 0);
            if (fitting != 1) mismatches.Add($"{path}: fits {fitting} of the {alternatives.Count} alternatives of oneOf: {value.GetRawText()}");
            return;
        }
        if (schema.Type is { } type && (type & KindOf(value)) == 0
            && !(value.ValueKind == JsonValueKind.Number && (type & JsonSchemaType.Number) != 0))
        {
            mismatches.Add($"{path}: a {value.ValueKind} ({Clip(value)}) where the document says {type}");
            return;
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var required in schema.Required ?? new HashSet<string>())
                    if (!value.TryGetProperty(required, out _)) mismatches.Add($"{path}: required property '{required}' is missing");
                foreach (var property in value.EnumerateObject())
                {
                    if (schema.Properties?.TryGetValue(property.Name, out var declared) == true)
                        Check(property.Value, declared, $"{path}.{property.Name}", strict, mismatches);
                    else if (schema.AdditionalProperties is { } values)
                        Check(property.Value, values, $"{path}.{property.Name}", strict, mismatches);
                    else if (strict || !schema.AdditionalPropertiesAllowed)
                        mismatches.Add($"{path}: property '{property.Name}' is not in the document");
                }
                break;
            case JsonValueKind.Array when schema.Items is { } items:
                var i = 0;
                foreach (var item in value.EnumerateArray()) Check(item, items, $"{path}[{i++}]", strict, mismatches);
                break;
        }
    }

    private static JsonSchemaType KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => JsonSchemaType.Null,
        JsonValueKind.True or JsonValueKind.False => JsonSchemaType.Boolean,
        JsonValueKind.Number => value.TryGetInt64(out _) ? JsonSchemaType.Integer : JsonSchemaType.Number,
        JsonValueKind.String => JsonSchemaType.String,
        JsonValueKind.Array => JsonSchemaType.Array,
        _ => JsonSchemaType.Object,
    };

    private static string Clip(JsonElement value) => value.GetRawText() is { Length: > 60 } long_ ? long_[..60] + "…" : value.GetRawText();
}
