using System.Buffers;
using MessagePack;

namespace Broadcast.LoadTest;

public enum FrameKind { Unreadable, Update, Rebuilt, OtherInvocation, Completion, Ping, Close, Other }

/// <summary>The three pushes that carry a group's new totals (docs/api.md, "Push").</summary>
public enum UpdateKind { None, TotalsChanged, Delta, Headline }

/// <summary>
/// What a viewer needs from one hub message; <see cref="Version"/> and <see cref="PrevVersion"/>
/// are -1 when absent or beyond the part of the frame that was kept.
/// </summary>
public readonly record struct HubFrame(FrameKind Kind, long Version, long PrevVersion, int ResultKind, UpdateKind Update = UpdateKind.None);

/// <summary>
/// The SignalR hub protocol in its MessagePack encoding (aspnetcore src/SignalR/docs/specs/HubProtocol.md),
/// written by hand: each message is a VarInt length and a MessagePack array whose first item is the
/// message type. Only what a viewer sends and the few fields it reads are covered.
/// </summary>
public static class HubFrames
{
    public const string SubscribeInvocationId = "1";

    /// <summary>The handshake is JSON even for MessagePack, ended by the record separator 0x1E.</summary>
    public static ReadOnlyMemory<byte> Handshake { get; } = "{\"protocol\":\"messagepack\",\"version\":1}\u001e"u8.ToArray();

    /// <summary>[6], length-prefixed; the spec fixes its encoding as 0x91 0x06.</summary>
    public static ReadOnlyMemory<byte> Ping { get; } = new byte[] { 0x02, 0x91, 0x06 };

    /// <summary>[1, {}, "1", "Subscribe", [contest, region], []], length-prefixed.</summary>
    public static byte[] Subscribe(string contest, string region) => SubscribeFor(contest, region, ViewKind.Legacy, null);

    /// <summary>
    /// The subscribe call of a view: <c>Subscribe(contest, region)</c> for legacy, else
    /// [1, {}, "1", "SubscribeWith", [contest, region, {"view": v, "maxPerSecond": m or nil}], []], length-prefixed.
    /// </summary>
    public static byte[] SubscribeFor(string contest, string region, ViewKind view, double? maxPerSecond)
    {
        var body = new ArrayBufferWriter<byte>(96);
        var w = new MessagePackWriter(body);
        w.WriteArrayHeader(6);
        w.Write(1);
        w.WriteMapHeader(0);
        w.Write(SubscribeInvocationId);
        w.Write(view == ViewKind.Legacy ? "Subscribe" : "SubscribeWith");
        w.WriteArrayHeader(view == ViewKind.Legacy ? 2 : 3);
        w.Write(contest);
        w.Write(region);
        if (view != ViewKind.Legacy)
        {
            w.WriteMapHeader(2);
            w.Write("view");
            w.Write(view == ViewKind.Headline ? "headline" : "full");
            w.Write("maxPerSecond");
            if (maxPerSecond is { } m) w.Write(m); else w.WriteNil();
        }
        w.WriteArrayHeader(0);
        w.Flush();
        return Prefixed(body.WrittenSpan);
    }

    /// <summary>A MessagePack hub message with its length prefix.</summary>
    public static byte[] Prefixed(ReadOnlySpan<byte> body)
    {
        var frame = new byte[VarIntLength(body.Length) + body.Length];
        var at = WriteVarInt(frame, body.Length);
        body.CopyTo(frame.AsSpan(at));
        return frame;
    }

    /// <summary>Reads a frame's length prefix (7 bits a byte, least significant first, at most 5 bytes).</summary>
    /// <returns>false when <paramref name="data"/> ends inside the prefix.</returns>
    public static bool TryReadLength(ReadOnlySpan<byte> data, out int length, out int prefixBytes)
    {
        uint value = 0;
        for (var i = 0; i < Math.Min(5, data.Length); i++)
        {
            value |= (uint)(data[i] & 0x7f) << (7 * i);
            if ((data[i] & 0x80) == 0)
            {
                length = value <= int.MaxValue ? (int)value : throw new InvalidDataException("hub message length over 2 GB");
                prefixBytes = i + 1;
                return true;
            }
        }
        if (data.Length >= 5)
            throw new InvalidDataException("hub message length prefix longer than 5 bytes");
        (length, prefixBytes) = (0, 0);
        return false;
    }

    /// <summary>Decodes the head of a message; <paramref name="message"/> may be cut short (only its first bytes kept).</summary>
    public static HubFrame Parse(ReadOnlyMemory<byte> message)
    {
        var kind = FrameKind.Unreadable;
        var update = UpdateKind.None;
        long version = -1, prevVersion = -1;
        var resultKind = 0;
        var r = new MessagePackReader(message);
        try
        {
            r.ReadArrayHeader();
            var type = r.ReadInt32();
            kind = type switch { 1 => FrameKind.OtherInvocation, 3 => FrameKind.Completion, 6 => FrameKind.Ping, 7 => FrameKind.Close, _ => FrameKind.Other };
            if (type == 1)
            {
                r.Skip(); // headers
                r.Skip(); // invocation id (nil: the server expects no answer)
                (kind, update) = Target(ref r);
                if (kind == FrameKind.Update && r.ReadArrayHeader() > 0)
                    (version, prevVersion) = Versions(ref r);
            }
            else if (type == 3)
            {
                r.Skip(); // headers
                r.Skip(); // invocation id: a viewer has only one call outstanding
                resultKind = r.ReadInt32();
                if (resultKind == 3 && r.NextMessagePackType == MessagePackType.Map)
                    (version, _) = Versions(ref r);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or MessagePackSerializationException)
        {
            // A head cut before the fields we want: the kind, if read, still counts.
        }
        return new HubFrame(kind, version, prevVersion, resultKind, update);
    }

    private static (FrameKind, UpdateKind) Target(ref MessagePackReader r)
    {
        if (!r.TryReadStringSpan(out var target))
            return (FrameKind.OtherInvocation, UpdateKind.None);
        return target.SequenceEqual("TotalsChanged"u8) ? (FrameKind.Update, UpdateKind.TotalsChanged)
            : target.SequenceEqual("Delta"u8) ? (FrameKind.Update, UpdateKind.Delta)
            : target.SequenceEqual("Headline"u8) ? (FrameKind.Update, UpdateKind.Headline)
            : target.SequenceEqual("TotalsRebuilt"u8) ? (FrameKind.Rebuilt, UpdateKind.None)
            : (FrameKind.OtherInvocation, UpdateKind.None);
    }

    /// <summary>
    /// "version" and "prevVersion" from a snapshot or delta map, or from a packed frame's array
    /// ([contest, region, prevVersion, version, ...]); the rest is skipped unread.
    /// </summary>
    private static (long Version, long PrevVersion) Versions(ref MessagePackReader r)
    {
        long version = -1, prevVersion = -1;
        if (r.NextMessagePackType == MessagePackType.Array)
        {
            if (r.ReadArrayHeader() < 4) return (version, prevVersion);
            r.Skip(); // contest
            r.Skip(); // region
            prevVersion = r.ReadInt64();
            return (r.ReadInt64(), prevVersion);
        }
        var entries = r.ReadMapHeader();
        for (var i = 0; i < entries && (version < 0 || prevVersion < 0); i++)
        {
            if (!r.TryReadStringSpan(out var key))
            {
                r.Skip();
                r.Skip();
                continue;
            }
            if (key.SequenceEqual("version"u8))
                version = r.ReadInt64();
            else if (key.SequenceEqual("prevVersion"u8))
                prevVersion = r.ReadInt64();
            else
                r.Skip();
        }
        return (version, prevVersion);
    }

    public static int VarIntLength(int value)
    {
        var n = 1;
        for (var v = (uint)value; v >= 0x80; v >>= 7) n++;
        return n;
    }

    private static int WriteVarInt(Span<byte> into, int value)
    {
        var i = 0;
        var v = (uint)value;
        for (; v >= 0x80; v >>= 7) into[i++] = (byte)(v | 0x80);
        into[i++] = (byte)v;
        return i;
    }
}
