using System.Globalization;
using System.Text.RegularExpressions;
using Broadcast.Ingest;

namespace Broadcast.History;

/// <summary>
/// The <c>asOf</c> of a read: <c>seq:&lt;n&gt;</c> (every revision with seq ≤ n) or an ISO 8601
/// time with its offset, <c>2019-04-17T21:00:00+07:00</c> or <c>…Z</c> (every revision received
/// at or before it; see <see cref="RevisionHistory.ResolveTime"/>). A time without an offset is
/// refused rather than read in the server's zone. In a query string <c>+</c> means a space, so
/// <c>+07:00</c> arrives as <c> 07:00</c>: a space before the offset is read as the <c>+</c> it was.
/// </summary>
public readonly partial record struct AsOfQuery(long? Seq, DateTimeOffset? Time)
{
    public const string Field = "asOf";
    private const int MaxLength = 64;

    public static bool TryParse(string text, out AsOfQuery query, out string error)
    {
        query = default;
        error = "";
        if (text.Length > MaxLength)
        {
            error = $"is longer than {MaxLength} characters; write seq:<n> or a time such as 2019-04-17T21:00:00+07:00";
            return false;
        }
        if (text.StartsWith("seq:", StringComparison.Ordinal))
        {
            if (long.TryParse(text.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            {
                query = new AsOfQuery(seq, null);
                return true;
            }
            error = $"'{FormErrors.Clip(text)}' is not a seq: write seq: and a whole number of 0 or more (seq:123456)";
            return false;
        }
        var match = TimeShape().Match(text);
        if (match.Success)
        {
            var normalized = match.Groups["offset"].Value.StartsWith(' ') ? text[..match.Groups["offset"].Index] + "+" + text[(match.Groups["offset"].Index + 1)..] : text;
            if (DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            {
                query = new AsOfQuery(null, time);
                return true;
            }
        }
        if (NoOffset().IsMatch(text))
        {
            error = $"'{FormErrors.Clip(text)}' has no offset: add one (+07:00 for WIB, Z for UTC), as in 2019-04-17T21:00:00+07:00";
            return false;
        }
        error = $"'{FormErrors.Clip(text)}' is neither seq:<n> nor an ISO 8601 time with its offset, such as 2019-04-17T21:00:00+07:00 or 2019-04-17T14:00:00Z";
        return false;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(?<offset>Z|[+\- ]\d{2}:\d{2})$")]
    private static partial Regex TimeShape();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$")]
    private static partial Regex NoOffset();
}
