using System.IO.Compression;
using System.Text;

namespace Broadcast.Replay;

/// <summary>
/// Reads a gzip-compressed CSV line by line as UTF-8 bytes. Lines are handed out as spans over an
/// internal buffer (valid until the next call) so 800k rows parse without a string per row.
/// Simple CSV only: no quoted fields spanning lines; quoted fields are unquoted by <see cref="Split"/>.
/// </summary>
public sealed class GzCsvReader : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 20];
    private int _start; // first unread byte
    private int _end;   // one past the last byte read from the stream
    private bool _eof;

    public GzCsvReader(string path)
    {
        _stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>The next non-empty line without its line ending; false at the end of the file.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline < 0 && !_eof)
            {
                Fill();
                continue;
            }
            var length = newline < 0 ? _end - _start : newline;
            if (length == 0 && newline < 0)
            {
                line = default;
                return false;
            }
            line = _buffer.AsSpan(_start, length).TrimEnd((byte)'\r');
            _start += newline < 0 ? length : length + 1;
            if (!line.IsEmpty)
                return true;
        }
    }

    /// <summary>Splits a line at commas into <paramref name="fields"/>; returns the field count (at most fields.Length).</summary>
    /// <remarks>A quoted field ("A, B") keeps its commas; its range excludes the quotes ("" escapes are left as is).</remarks>
    public static int Split(ReadOnlySpan<byte> line, Span<Range> fields)
    {
        var count = 0;
        var pos = 0;
        while (count < fields.Length)
        {
            if (pos < line.Length && line[pos] == (byte)'"')
            {
                var close = FindClosingQuote(line, pos + 1);
                fields[count++] = (pos + 1)..close;
                pos = Math.Min(close + 1, line.Length);
            }
            else
            {
                var comma = line[pos..].IndexOf((byte)',');
                var stop = comma < 0 ? line.Length : pos + comma;
                fields[count++] = pos..stop;
                pos = stop;
            }
            if (pos >= line.Length)
                break;
            pos++; // skip the comma
        }
        return count;
    }

    /// <summary>Parses a whole number (optionally negative); empty gives <paramref name="empty"/>.</summary>
    public static long ParseLong(ReadOnlySpan<byte> s, long empty = -1)
    {
        if (s.IsEmpty)
            return empty;
        var negative = s[0] == (byte)'-';
        var digits = negative ? s[1..] : s;
        if (digits.IsEmpty)
            throw new FormatException("not a number: '-'");
        long value = 0;
        foreach (var b in digits)
        {
            var d = b - '0';
            if ((uint)d > 9)
                throw new FormatException($"not a whole number: '{Encoding.UTF8.GetString(s)}'");
            value = checked(value * 10 + d);
        }
        return negative ? -value : value;
    }

    /// <summary>The column index of each wanted name in a header line; throws when one is missing.</summary>
    public static int[] Columns(ReadOnlySpan<byte> header, params string[] names)
    {
        Span<Range> ranges = stackalloc Range[64];
        var n = Split(header, ranges);
        var found = new string[n];
        for (var i = 0; i < n; i++)
            found[i] = Encoding.UTF8.GetString(header[ranges[i]]);
        return names.Select(name => Array.IndexOf(found, name) is var i and >= 0
            ? i
            : throw new InvalidDataException($"column '{name}' missing")).ToArray();
    }

    private static int FindClosingQuote(ReadOnlySpan<byte> line, int from)
    {
        for (var i = from; i < line.Length; i++)
        {
            if (line[i] != (byte)'"')
                continue;
            if (i + 1 < line.Length && line[i + 1] == (byte)'"')
                i++; // "" inside a quoted field
            else
                return i;
        }
        return line.Length;
    }

    private void Fill()
    {
        // Move the partial line to the front; grow only if a single line exceeds the buffer.
        var pending = _end - _start;
        if (_start > 0)
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
        else if (pending == _buffer.Length)
            Array.Resize(ref _buffer, _buffer.Length * 2);
        _start = 0;
        _end = pending;
        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
            _eof = true;
        _end += read;
    }
}
