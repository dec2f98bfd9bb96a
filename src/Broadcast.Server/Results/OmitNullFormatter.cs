using System.Reflection;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Microsoft.AspNetCore.SignalR;

namespace Broadcast.Results;

/// <summary>
/// Writes a frame as a map of its <c>[Key]</c> members, leaving out the null ones (JSON does the
/// same with JsonIgnore), so a field that did not change costs nothing rather than its name and
/// a nil. Frames are serialized once per group and version for all viewers, so reflection here
/// is not on a per-viewer path. The server only writes frames; reading them is the clients' job
/// (their standard resolvers take a missing key as null).
/// </summary>
internal sealed class OmitNullFormatter<T> : IMessagePackFormatter<T?> where T : class
{
    private static readonly (string Key, PropertyInfo Property)[] Members = typeof(T).GetProperties()
        .Select(p => (Key: p.GetCustomAttribute<KeyAttribute>()?.StringKey, Property: p))
        .Where(m => m.Key is not null)
        .Select(m => (m.Key!, m.Property))
        .ToArray();

    public void Serialize(ref MessagePackWriter writer, T? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        var values = new object?[Members.Length];
        var present = 0;
        for (var i = 0; i < Members.Length; i++)
            if ((values[i] = Members[i].Property.GetValue(value)) is not null) present++;
        writer.WriteMapHeader(present);
        for (var i = 0; i < Members.Length; i++)
        {
            if (values[i] is not { } member) continue;
            writer.Write(Members[i].Key);
            MessagePackSerializer.Serialize(Members[i].Property.PropertyType, ref writer, member, options);
        }
    }

    public T? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        throw new NotSupportedException($"{typeof(T).Name} frames are written by the server, not read by it");
}

/// <summary>The hub's MessagePack options: SignalR's defaults, with the lean frames written by <see cref="OmitNullFormatter{T}"/>.</summary>
internal static class FrameSerialization
{
    public static MessagePackSerializerOptions Options(MessagePackSerializerOptions defaults) =>
        defaults.WithResolver(CompositeResolver.Create(
            [new OmitNullFormatter<Headline>(), new OmitNullFormatter<Delta>(), new OmitNullFormatter<ChildChange>(), new OmitNullFormatter<CandidateChange>()],
            [defaults.Resolver]));

    /// <summary>The default options of SignalR's MessagePack protocol, to build on.</summary>
    public static MessagePackSerializerOptions SignalRDefaults => new MessagePackHubProtocolOptions().SerializerOptions;
}
