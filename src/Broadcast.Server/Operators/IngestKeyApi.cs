using System.Buffers.Text;
using System.Security.Cryptography;
using Broadcast.Elections;
using Broadcast.Ingest;
using Broadcast.OpenApi;
using Broadcast.Storage;

namespace Broadcast.Operators;

/// <param name="Id">The key's name in the audit trail and in signed requests: <see cref="IngestKeyIds.Rule"/>.</param>
/// <param name="Contests">Contest ids it may post; none or empty = all.</param>
/// <param name="Regions">Region ids (any level) under which its stations must lie; none or empty = all.</param>
/// <param name="RequireSignature">Its requests must be signed; the secret as a bearer is refused. Default false.</param>
public sealed record NewIngestKeyRequest(string? Id, string[]? Contests, string[]? Regions, bool? RequireSignature, string? Reason);

/// <summary>A change of a stored key's scope or signature requirement; a field left out stays as it is.</summary>
public sealed record IngestKeyChangeRequest(string[]? Contests, string[]? Regions, bool? RequireSignature, string? Reason);

/// <summary>
/// One ingest key as operators see it. Never its secret, nor the secret's SHA-256 (signed
/// requests are keyed with it). <see cref="Source"/> is <c>config</c> (read-only here: change
/// the configuration) or <c>store</c>.
/// </summary>
public sealed record IngestKeyView(string Id, string Source, bool ReadOnly, IReadOnlyList<string> Contests, IReadOnlyList<string> Regions,
    bool RequireSignature, bool Revoked, DateTimeOffset? CreatedAt, string? CreatedBy, string? CreatedReason,
    DateTimeOffset? RevokedAt, string? RevokedBy, string? RevokedReason);

/// <summary>A key just created: its <see cref="Secret"/> is shown this once and is kept nowhere.</summary>
public sealed record CreatedIngestKey(string Secret, IngestKeyView Key);

/// <summary>
/// Operators create, scope and revoke ingest keys without a restart (behind the operator
/// policy; each change is an operator action with its reason). A change is in the store before
/// the answer, taken in by this node at once and by the others within
/// <c>Ingest:KeyRefreshInterval</c> (at once with Redis).
/// </summary>
public static class IngestKeyApi
{
    private const string Config = "config", Store = "store";

    public static RouteGroupBuilder MapIngestKeys(this RouteGroupBuilder operators)
    {
        var keys = operators.MapGroup("/keys").WithTags("Operator");
        keys.MapGet("", List)
            .WithSummary("Every ingest key, configured and stored (never a secret)").WithName("ListIngestKeys")
            .Answers<List<IngestKeyView>>(StatusCodes.Status200OK, "The keys.");
        keys.MapGet("/{id}", Get)
            .WithSummary("One ingest key").WithName("GetIngestKey")
            .Answers<IngestKeyView>(StatusCodes.Status200OK, "The key.")
            .AnswersProblem(StatusCodes.Status404NotFound, "No such key.");
        keys.MapPost("", Create)
            .WithSummary("Create an ingest key: the server makes its secret and shows it this once").WithName("CreateIngestKey")
            .Answers<CreatedIngestKey>(StatusCodes.Status201Created, "The secret (kept nowhere: `Cache-Control: no-store`) and the key.")
            .WithHeader(StatusCodes.Status201Created, "Location", "The key.")
            .AnswersProblem(StatusCodes.Status409Conflict, "The id is a configured key's, or is taken (revoked keys keep theirs).")
            .AnswersFieldProblem(StatusCodes.Status422UnprocessableEntity, "`errors` names each bad field: `id`, `contests[0]`, `regions[1]`, `reason`.");
        keys.MapPatch("/{id}", Change)
            .WithSummary("Change a stored key's scope or signature requirement; a field left out stays").WithName("ChangeIngestKey")
            .Answers<IngestKeyView>(StatusCodes.Status200OK, "The key as changed.")
            .AnswersKeyRefusals();
        keys.MapPost("/{id}/revoke", Revoke)
            .WithSummary("Revoke a stored key, for good").WithName("RevokeIngestKey")
            .Answers<IngestKeyView>(StatusCodes.Status200OK, "The key, revoked.")
            .AnswersKeyRefusals();
        return operators;
    }

    private static async Task<IResult> List(IngestKeys keys, IngestKeyRefresher refresher)
    {
        await refresher.RefreshAsync();
        return TypedResults.Ok(keys.Configured.Select(Configured).Concat(keys.Stored.Select(Stored)).ToList());
    }

    private static async Task<IResult> Get(string id, IngestKeys keys, IngestKeyRefresher refresher)
    {
        if (keys.Configured.FirstOrDefault(k => k.Id == id) is { } configured) return TypedResults.Ok(Configured(configured));
        await refresher.RefreshAsync();
        return keys.Stored.FirstOrDefault(k => k.Id == id) is { } stored ? TypedResults.Ok(Stored(stored)) : NotFound(id);
    }

    private static async Task<IResult> Create(NewIngestKeyRequest body, HttpContext context, Election election, IngestKeys keys,
        FormStore store, IngestKeyRefresher refresher)
    {
        var errors = Check(body.Contests, body.Regions, body.Reason, election);
        if (!IngestKeyIds.IsValid(body.Id)) errors.Add("id", $"is required: {IngestKeyIds.Rule}");
        if (errors.Any) return Problems.Invalid(errors);
        if (keys.IsConfigured(body.Id!)) return Problems.Conflict($"The id '{body.Id}' is a configured key's; choose another.");

        // 32 random bytes: as strong as the HMAC key they are hashed into. Shown once, kept nowhere.
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var key = new StoredIngestKey(body.Id!, IngestSignature.SigningKey(secret), Contests(body.Contests, election),
            Regions(body.Regions, election), body.RequireSignature ?? false,
            DateTimeOffset.UtcNow, OperatorAuthentication.OperatorId(context), body.Reason!.Trim());
        if (!await store.AddIngestKeyAsync(key))
            return Problems.Conflict($"The id '{body.Id}' is taken (revoked keys keep theirs: the audit trail names them); choose another.");
        await refresher.ChangedHereAsync();
        // The secret must not linger in a cache between the operator and the server.
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"/api/v1/operator/keys/{Uri.EscapeDataString(key.Id)}", new CreatedIngestKey(secret, Stored(key)));
    }

    private static async Task<IResult> Change(string id, IngestKeyChangeRequest body, HttpContext context, Election election,
        IngestKeys keys, FormStore store, IngestKeyRefresher refresher)
    {
        var errors = Check(body.Contests, body.Regions, body.Reason, election);
        if (errors.Any) return Problems.Invalid(errors);
        if (await LiveStoredKeyAsync(id, keys, store) is not { } current) return await RefusedAsync(id, keys, store);

        var changed = current with
        {
            Contests = body.Contests is null ? current.Contests : Contests(body.Contests, election),
            Regions = body.Regions is null ? current.Regions : Regions(body.Regions, election),
            RequireSignature = body.RequireSignature ?? current.RequireSignature,
        };
        if (!await store.ChangeIngestKeyAsync(changed, OperatorAuthentication.OperatorId(context), "ingest-key-change", changed.Summary, body.Reason!.Trim()))
            return await RefusedAsync(id, keys, store);
        await refresher.ChangedHereAsync();
        return TypedResults.Ok(Stored(changed));
    }

    private static async Task<IResult> Revoke(string id, ReasonRequest body, HttpContext context, IngestKeys keys, FormStore store,
        IngestKeyRefresher refresher)
    {
        var errors = Check(null, null, body.Reason, null);
        if (errors.Any) return Problems.Invalid(errors);
        if (await LiveStoredKeyAsync(id, keys, store) is not { } current) return await RefusedAsync(id, keys, store);

        var @operator = OperatorAuthentication.OperatorId(context);
        var reason = body.Reason!.Trim();
        var revoked = current with { RevokedAt = DateTimeOffset.UtcNow, RevokedBy = @operator, RevokedReason = reason };
        if (!await store.ChangeIngestKeyAsync(revoked, @operator, "ingest-key-revoke", id, reason)) return await RefusedAsync(id, keys, store);
        // In the store already: this node refuses the key from here on, the others within seconds.
        await refresher.ChangedHereAsync();
        return TypedResults.Ok(Stored(revoked));
    }

    private static RouteHandlerBuilder AnswersKeyRefusals(this RouteHandlerBuilder builder) => builder
        .AnswersProblem(StatusCodes.Status404NotFound, "No such key.")
        .AnswersProblem(StatusCodes.Status409Conflict, "A configured key (change the configuration), or a revoked one (for good).")
        .AnswersFieldProblem(StatusCodes.Status422UnprocessableEntity, "`errors` names each bad field: `contests[0]`, `regions[1]`, `reason`.");

    /// <summary>The stored key of that id if it is live (configured ids are not the store's to change).</summary>
    private static async Task<StoredIngestKey?> LiveStoredKeyAsync(string id, IngestKeys keys, FormStore store) =>
        keys.IsConfigured(id) ? null : (await store.ReadIngestKeysAsync()).Keys.FirstOrDefault(k => k.Id == id && !k.Revoked);

    /// <summary>Why a key cannot be changed: configured (read-only), revoked (for good), or unknown; asked of the store, which another node may have changed.</summary>
    private static async Task<IResult> RefusedAsync(string id, IngestKeys keys, FormStore store)
    {
        if (keys.IsConfigured(id)) return Problems.Conflict($"'{FormErrors.Clip(id)}' is a configured key: change it in the configuration (Ingest:Keys) and restart.");
        return (await store.ReadIngestKeysAsync()).Keys.Any(k => k.Id == id && k.Revoked)
            ? Problems.Conflict($"Key '{FormErrors.Clip(id)}' is revoked, for good; create a new key instead.")
            : NotFound(id);
    }

    private static IResult NotFound(string id) => Problems.NotFound($"No ingest key '{FormErrors.Clip(id)}'.");

    private static FormErrors Check(string[]? contests, string[]? regions, string? reason, Election? election)
    {
        var errors = new FormErrors();
        for (var i = 0; contests is not null && i < contests.Length; i++)
            if (election!.FindContest(contests[i] ?? "") is null) errors.Add($"contests[{i}]", "is not a contest of this election");
        for (var i = 0; regions is not null && i < regions.Length; i++)
            if (election!.FindRegion(regions[i] ?? "") is null) errors.Add($"regions[{i}]", "is not a region id of this election");
        if (reason is not { } r || r.Trim().Length is 0 or > OperatorApi.MaxReasonLength)
            errors.Add("reason", $"is required: say why, in at most {OperatorApi.MaxReasonLength} characters (it is kept in the operator actions)");
        return errors;
    }

    /// <summary>Checked ids as the server writes them, each once.</summary>
    private static string[] Contests(string[]? ids, Election election) =>
        ids is null ? [] : ids.Select(id => election.FindContest(id)!.Id).Distinct().ToArray();

    private static string[] Regions(string[]? ids, Election election) =>
        ids is null ? [] : ids.Select(id => election.Regions.Id[election.FindRegion(id)!.Value]).Distinct().ToArray();

    private static IngestKeyView Configured(IngestKeyOptions key) => new(key.Id, Config, true, key.Contests, key.Regions,
        key.RequireSignature, key.Revoked, null, null, null, null, null, null);

    private static IngestKeyView Stored(StoredIngestKey key) => new(key.Id, Store, false, key.Contests, key.Regions, key.RequireSignature,
        key.Revoked, key.CreatedAt, key.CreatedBy, key.CreatedReason, key.RevokedAt, key.RevokedBy, key.RevokedReason);
}
