using System.Reflection;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Microsoft.AspNetCore.SignalR;

namespace Broadcast.Results;

/// <summary>
/// Writes a frame leaving out what is null, so that a field that did not change costs nothing
/// (JSON does the same with JsonIgnore): a type with string keys as a map of its non-null
/// members; one with integer keys (the positional packed frames) as an array cut after its last
/// non-null member. Frames are serialized once per group and version for all viewers, so
/// reflection here is not on a per-viewer path. The server only writes frames; reading them is
/// the clients' job (their standard resolvers take a missing key or item as null).
/// </summary>
internal sealed class OmitNullFormatter<T> : IMessagePackFormatter<T?> where T : class
{
    private static readonly (KeyAttribute Key, PropertyInfo Property)[] Members = typeof(T).GetProperties()
        .Select(p => (Key: p.GetCustomAttribute<KeyAttribute>()!, Property: p))
        .Where(m => m.Key is not null)
        .OrderBy(m => m.Key.IntKey ?? 0)
        .ToArray();

    private static readonly bool Positional = Members.Select((m, i) => m.Key.IntKey == i).All(at => at);

    public void Serialize(ref MessagePackWriter writer, T? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        var values = Members.Select(m => m.Property.GetValue(value)).ToArray();
        if (Positional)
        {
            var count = Array.FindLastIndex(values, v => v is not null) + 1;
            writer.WriteArrayHeader(count);
            for (var i = 0; i < count; i++) Write(ref writer, i, values[i], options);
            return;
        }
        writer.WriteMapHeader(values.Count(v => v is not null));
        for (var i = 0; i < Members.Length; i++)
        {
            if (values[i] is null) continue;
            writer.Write(Members[i].Key.StringKey);
            Write(ref writer, i, values[i], options);
        }
    }

    private static void Write(ref MessagePackWriter writer, int member, object? value, MessagePackSerializerOptions options)
    {
        if (value is null) writer.WriteNil();
        else MessagePackSerializer.Serialize(Members[member].Property.PropertyType, ref writer, value, options);
    }

    public T? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        throw new NotSupportedException($"{typeof(T).Name} frames are written by the server, not read by it");
}

/// <summary>The hub's MessagePack options: SignalR's defaults, with the lean frames written by <see cref="OmitNullFormatter{T}"/>.</summary>
internal static class FrameSerialization
{
    public static MessagePackSerializerOptions Options(MessagePackSerializerOptions defaults) =>
        defaults.WithResolver(CompositeResolver.Create(
            [new OmitNullFormatter<Headline>(), new OmitNullFormatter<Delta>(), new OmitNullFormatter<CandidateChange>()],
            [defaults.Resolver]));

    /// <summary>The default options of SignalR's MessagePack protocol, to build on.</summary>
    public static MessagePackSerializerOptions SignalRDefaults => new MessagePackHubProtocolOptions().SerializerOptions;
}
