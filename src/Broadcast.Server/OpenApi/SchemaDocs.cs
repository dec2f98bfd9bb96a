using Broadcast.Ingest;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Broadcast.OpenApi;

/// <summary>
/// Schemas as the server writes them. Numbers are numbers: the framework's JSON options would
/// also read a number written as a string, and the generator says so (<c>["integer", "string"]</c>),
/// but no answer of this server carries one, and clients generated from the document should not
/// expect one. A form's <c>votes</c> (posted, and in a station's trail) is per choice a count, or on a
/// party-list ballot per party its own votes and its candidates'.
/// </summary>
internal sealed class SchemaDocs : IOpenApiSchemaTransformer
{
    private const JsonSchemaType Numeric = JsonSchemaType.Integer | JsonSchemaType.Number;

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && (type & Numeric) != 0 && (type & JsonSchemaType.String) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        if (context.JsonPropertyInfo is { Name: "votes" } property)
        {
            if (property.DeclaringType == typeof(FormBody)) Votes(schema);
            else if (property.DeclaringType == typeof(RevisionView))
            {
                // As the form gave them; in ballot order only where the station's ballot is not known.
                var byChoice = new OpenApiSchema();
                Votes(byChoice);
                schema.Type = null;
                schema.OneOf = [byChoice, new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.Integer } }];
            }
        }
        return Task.CompletedTask;
    }

    private static void Votes(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.Object;
        schema.AdditionalProperties = new OpenApiSchema
        {
            OneOf =
            [
                new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0", Maximum = "100000", Description = "A choice's votes (a pair, a DPD candidate)." },
                new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "A party on a party-list ballot: its own votes, and per candidate number its candidates' votes.",
                    Required = new HashSet<string> { "party", "candidates" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["party"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
                        ["candidates"] = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
                        },
                    },
                    AdditionalPropertiesAllowed = false,
                },
            ],
        };
    }
}
