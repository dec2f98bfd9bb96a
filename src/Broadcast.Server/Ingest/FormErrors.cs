namespace Broadcast.Ingest;

/// <summary>
/// Problems per field name (<c>votes.03</c>, <c>[2].valid</c>), as problem+json <c>errors</c>. Bounded:
/// a hostile body can hold hundreds of thousands of mistakes, and the answer must stay smaller
/// than the request. At most <see cref="MaxListed"/> fields, each with at most three messages, are listed (the rest are only
/// counted, <see cref="Omitted"/>), and any text taken from the request is clipped to
/// <see cref="MaxEchoedLength"/> characters.
/// </summary>
public sealed class FormErrors
{
    public const int MaxListed = 100;
    public const int MaxEchoedLength = 64;
    private const int MaxPerField = 3;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0 || Omitted > 0;

    /// <summary>Problems found but not listed, beyond <see cref="MaxListed"/> fields.</summary>
    public int Omitted { get; private set; }

    public bool Has(string field) => _errors.ContainsKey(Clip(field));

    public void Add(string field, string message)
    {
        field = Clip(field);
        if (_errors.TryGetValue(field, out var list) ? list.Count < MaxPerField : _errors.Count < MaxListed)
        {
            if (list is null) _errors[field] = list = [];
            list.Add(message);
        }
        else Omitted++;
    }

    /// <summary>Adds every problem of <paramref name="other"/> with <paramref name="prefix"/> before its field names.</summary>
    public void AddAll(string prefix, FormErrors other)
    {
        foreach (var (field, messages) in other._errors)
            foreach (var message in messages) Add(prefix + field, message);
        Omitted += other.Omitted;
    }

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    /// <summary>Text from the request as it may appear in an answer: at most <see cref="MaxEchoedLength"/> characters.</summary>
    public static string Clip(string text) => text.Length <= MaxEchoedLength ? text : string.Concat(text.AsSpan(0, MaxEchoedLength - 1), "…");
}
