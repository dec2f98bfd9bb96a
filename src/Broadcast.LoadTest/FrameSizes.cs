using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using MessagePack;

namespace Broadcast.LoadTest;

/// <summary>
/// The frame-size tool (<c>--frame-sizes</c>): the bytes one update costs per subscription kind and
/// group level, read off real frames of a running server. It opens one WebSocket per (protocol,
/// kind, level): MessagePack and JSON; <c>Subscribe</c> (TotalsChanged), <c>SubscribeWith</c> full
/// (Delta) and headline (Headline), uncapped; the nation, the province, the regency and the village
/// of one real village. Then, round by round, it posts a batch of real forms (one of them from that
/// village, the rest spread over the country as the load's batches are) and records every update
/// each socket receives until each has the batch's last seq. Sizes are the hub message as it
/// crosses the WebSocket (MessagePack: with its length prefix; JSON: with its record separator),
/// the WebSocket frame header (2 bytes up to 125, 4 up to 65,535, server frames are not masked)
/// and the bytes read off the socket per update (everything: a cross-check).
/// </summary>
public sealed class FrameSizes(LoadOptions options)
{
    private sealed record Update(int Round, int Bytes, long Version, UpdateKind Kind, int Children);

    private sealed class Probe(string protocol, ViewKind view, string level, string group)
    {
        public string Protocol => protocol;
        public ViewKind View => view;
        public string Level => level;
        public string Group => group;
        public WireCounter Wire { get; } = new(null);
        public ClientWebSocket? Socket;
        public int SnapshotBytes;
        public List<Update> Updates { get; } = [];
        public long[] WireAtRound = [];
        public volatile int Round = -1;
        public long Version = -1;
        public readonly SemaphoreSlim Changed = new(0);
    }

    public sealed record Row(string Protocol, string View, string Level, string Group, int SnapshotBytes, int Updates,
        double MedianBytes, int MinBytes, int MaxBytes, double MedianWireBytes, double SocketBytesPerUpdate, double MedianChildren);

    public async Task<int> RunAsync()
    {
        if (string.IsNullOrEmpty(options.Key))
            throw new ArgumentException("no ingest key: pass --key or set BROADCAST_INGEST_KEY");
        var server = options.Servers[0];
        var forms = StationForms.Load(options.ResolveDataPath(), options.Seed).AsSpan(options.Skip).ToArray();
        // A village at home (abroad, "villages" are cities with hundreds of stations) with a station
        // per round: the first such in the shuffled order, so a seed picks one at random.
        var villageForms = forms.Select((f, i) => (Village: StationForms.VillageOf(f.Station), Index: i))
            .Where(x => x.Village > 0).GroupBy(x => x.Village).FirstOrDefault(g => g.Count() >= options.Rounds)
            ?? throw new ArgumentException($"no village has {options.Rounds} stations: fewer --rounds");
        var village = villageForms.Key.ToString(CultureInfo.InvariantCulture);
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Key);
        string[] parents;
        using (var doc = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/results/{RegionCatalog.Contest}/{village}")))
            parents = doc.RootElement.GetProperty("parents").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToArray();
        var levels = new (string Level, string Group)[] { ("national", "0"), ("province", parents[1]), ("regency", parents[2]), ("village", village) };
        var probes = (from protocol in new[] { "messagepack", "json" }
                      from view in new[] { ViewKind.Legacy, ViewKind.Full, ViewKind.Headline }
                      from level in levels
                      select new Probe(protocol, view, level.Level, level.Group)).ToArray();
        using var stop = new CancellationTokenSource();
        var readers = new List<Task>();
        foreach (var p in probes)
        {
            await ConnectAsync(server, p);
            readers.Add(ReadAsync(p, stop.Token));
        }
        var pings = PingAsync(probes, stop.Token);
        Console.Error.WriteLine($"frames: {probes.Length} sockets on {server}; village {village} (province {parents[1]}, regency {parents[2]}), {options.Rounds} rounds of {options.Batch} forms");

        var others = forms.Where(f => StationForms.VillageOf(f.Station) != villageForms.Key).ToArray();
        var mine = villageForms.Select(x => forms[x.Index]).ToArray();
        foreach (var p in probes) p.WireAtRound = new long[options.Rounds + 1];
        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var p in probes) { p.WireAtRound[round] = p.Wire.Read; p.Round = round; }
            var batch = new List<StationForm> { mine[round] };
            batch.AddRange(others.AsSpan(round * (options.Batch - 1), options.Batch - 1).ToArray());
            using var content = new ByteArrayContent(StationForms.Serialize(batch.ToArray()));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync("/api/v1/forms:batch", content);
            response.EnsureSuccessStatusCode();
            var answer = await response.Content.ReadFromJsonAsync(LoadJson.Default.BatchAnswer);
            var seq = answer!.Receipts.Max(r => r.Seq);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            foreach (var p in probes)
                while (Interlocked.Read(ref p.Version) < seq && DateTime.UtcNow < deadline)
                    await p.Changed.WaitAsync(TimeSpan.FromMilliseconds(200));
            // Let a straggling second run of the same batch arrive before the next round.
            await Task.Delay(TimeSpan.FromMilliseconds(700));
            foreach (var p in probes) p.WireAtRound[round + 1] = p.Wire.Read;
            var missing = probes.Where(p => Interlocked.Read(ref p.Version) < seq).ToArray();
            if (missing.Length > 0)
                Console.Error.WriteLine($"frames: round {round}: {missing.Length} sockets did not get seq {seq} in time");
        }
        await stop.CancelAsync();
        foreach (var p in probes) p.Socket?.Abort();
        await Task.WhenAll(readers.Append(pings).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));

        var rows = probes.Select(ToRow).ToArray();
        Print(rows, Console.Out);
        if (options.JsonPath is not null)
            await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(rows, LoadJson.Indented.RowArray) + "\n");
        return 0;
    }

    private Row ToRow(Probe p)
    {
        var updates = p.Updates.Where(u => u.Round >= 0).ToArray();
        var bytes = updates.Select(u => u.Bytes).Order().ToArray();
        var wire = updates.Select(u => u.Bytes + WebSocketHeader(u.Bytes)).Order().ToArray();
        var socket = p.WireAtRound.Length > 1 ? p.WireAtRound[^1] - p.WireAtRound[0] : 0;
        return new Row(p.Protocol, View(p.View), p.Level, p.Group, p.SnapshotBytes, updates.Length,
            Median(bytes), bytes.DefaultIfEmpty().Min(), bytes.DefaultIfEmpty().Max(), Median(wire),
            updates.Length > 0 ? (double)socket / updates.Length : 0, Median(updates.Select(u => u.Children).Order().ToArray()));
    }

    public static string View(ViewKind v) => v switch
    {
        ViewKind.Legacy => "Subscribe → TotalsChanged",
        ViewKind.Full => "SubscribeWith full → Delta",
        _ => "SubscribeWith headline → Headline",
    };

    private static void Print(Row[] rows, TextWriter o)
    {
        o.WriteLine();
        o.WriteLine("| subscription | group | MessagePack: update (min–max) | on the wire | JSON: update (min–max) | on the wire | children per update | snapshot MessagePack / JSON |");
        o.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var g in rows.GroupBy(r => (r.View, r.Level)))
        {
            var m = g.First(r => r.Protocol == "messagepack");
            var j = g.First(r => r.Protocol == "json");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {g.Key.View} | {g.Key.Level} ({m.Group}) | {m.MedianBytes:N0} B ({m.MinBytes:N0}–{m.MaxBytes:N0}) | {m.MedianWireBytes:N0} B | {j.MedianBytes:N0} B ({j.MinBytes:N0}–{j.MaxBytes:N0}) | {j.MedianWireBytes:N0} B | {m.MedianChildren:0.#} | {m.SnapshotBytes:N0} / {j.SnapshotBytes:N0} B |"));
        }
        o.WriteLine();
        o.WriteLine("Update: the hub message as it crosses the WebSocket (MessagePack with its length prefix, JSON with its record separator),");
        o.WriteLine("median over the updates received (one per round, or two when a batch's run was split). On the wire: plus the");
        o.WriteLine("WebSocket frame header; not counted: TCP/IP headers (40-60 B per segment). Socket bytes read per update (all traffic");
        o.WriteLine("during the rounds, including pings, divided by the updates), MessagePack / JSON:");
        foreach (var g in rows.GroupBy(r => (r.View, r.Level)))
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {g.Key.View}, {g.Key.Level}: {g.First(r => r.Protocol == "messagepack").SocketBytesPerUpdate:N0} / {g.First(r => r.Protocol == "json").SocketBytesPerUpdate:N0} B ({g.First().Updates} updates)"));
    }

    private static double Median(int[] sorted) => sorted.Length == 0 ? 0
        : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2.0;

    public static int WebSocketHeader(int payload) => payload <= 125 ? 2 : payload <= 65_535 ? 4 : 10;

    private static async Task ConnectAsync(Uri server, Probe p)
    {
        var handler = WireCounter.Handler(null, p.Wire);
        var ws = new ClientWebSocket();
        ws.Options.KeepAliveInterval = TimeSpan.Zero;
        await ws.ConnectAsync(new UriBuilder(server) { Scheme = "ws", Path = "/hubs/results" }.Uri, new HttpMessageInvoker(handler), CancellationToken.None);
        p.Socket = ws;
        var json = p.Protocol == "json";
        await ws.SendAsync(Encoding.UTF8.GetBytes($"{{\"protocol\":\"{p.Protocol}\",\"version\":1}}\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
        if (json)
        {
            var args = p.View == ViewKind.Legacy
                ? $"[\"{RegionCatalog.Contest}\",\"{p.Group}\"]"
                : $"[\"{RegionCatalog.Contest}\",\"{p.Group}\",{{\"view\":\"{(p.View == ViewKind.Full ? "full" : "headline")}\",\"maxPerSecond\":null}}]";
            var target = p.View == ViewKind.Legacy ? "Subscribe" : "SubscribeWith";
            await ws.SendAsync(Encoding.UTF8.GetBytes($"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"{target}\",\"arguments\":{args}}}\u001e"),
                WebSocketMessageType.Text, true, CancellationToken.None);
        }
        else
        {
            await ws.SendAsync(HubFrames.SubscribeFor(RegionCatalog.Contest, p.Group, p.View, null), WebSocketMessageType.Binary, true, CancellationToken.None);
        }
    }

    private static async Task PingAsync(Probe[] probes, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), ct);
                foreach (var p in probes)
                    if (p.Socket is { State: WebSocketState.Open } ws)
                        await ws.SendAsync(p.Protocol == "json" ? "{\"type\":6}\u001e"u8.ToArray() : HubFrames.Ping,
                            p.Protocol == "json" ? WebSocketMessageType.Text : WebSocketMessageType.Binary, true, ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
    }

    /// <summary>Reads messages until the socket ends: the handshake answer, the subscribe answer (the snapshot), updates.</summary>
    private static async Task ReadAsync(Probe p, CancellationToken ct)
    {
        var ws = p.Socket!;
        var pending = new ArrayBufferWriter<byte>(64 * 1024);
        var buffer = new byte[64 * 1024];
        var handshakeDone = false;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var result = await ws.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close) return;
                pending.Write(buffer.AsSpan(0, result.Count));
                var data = pending.WrittenMemory;
                var used = 0;
                while (true)
                {
                    var rest = data[used..];
                    if (!handshakeDone || p.Protocol == "json")
                    {
                        var end = rest.Span.IndexOf((byte)0x1e);
                        if (end < 0) break;
                        var message = rest[..end];
                        used += end + 1;
                        if (!handshakeDone) { handshakeDone = true; continue; }
                        OnJson(p, message, end + 1);
                    }
                    else
                    {
                        if (!HubFrames.TryReadLength(rest.Span, out var length, out var prefix) || rest.Length < prefix + length) break;
                        OnMessagePack(p, rest.Slice(prefix, length), prefix + length);
                        used += prefix + length;
                    }
                }
                var left = data[used..].ToArray();
                pending.Clear();
                pending.Write(left);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException) { }
    }

    private static void OnJson(Probe p, ReadOnlyMemory<byte> message, int bytes)
    {
        using var doc = JsonDocument.Parse(message);
        var root = doc.RootElement;
        var type = root.GetProperty("type").GetInt32();
        if (type == 3 && root.TryGetProperty("result", out var snapshot))
        {
            p.SnapshotBytes = bytes;
            Seen(p, snapshot.GetProperty("version").GetInt64());
        }
        else if (type == 1 && root.GetProperty("target").GetString() is "TotalsChanged" or "Delta" or "Headline")
        {
            var arg = root.GetProperty("arguments")[0];
            var kind = Enum.Parse<UpdateKind>(root.GetProperty("target").GetString()!);
            var children = arg.TryGetProperty("children", out var c) && c.ValueKind == JsonValueKind.Array ? c.GetArrayLength()
                : arg.TryGetProperty("packed", out var packed) ? Results.PackedFrame.ChildCount(packed.GetBytesFromBase64()) : 0;
            var version = arg.GetProperty("version").GetInt64();
            p.Updates.Add(new Update(p.Round, bytes, version, kind, children));
            Seen(p, version);
        }
    }

    private static void OnMessagePack(Probe p, ReadOnlyMemory<byte> message, int bytes)
    {
        var frame = HubFrames.Parse(message);
        if (frame.Kind == FrameKind.Completion && frame.ResultKind == 3)
        {
            p.SnapshotBytes = bytes;
            Seen(p, frame.Version);
        }
        else if (frame.Kind == FrameKind.Update)
        {
            p.Updates.Add(new Update(p.Round, bytes, frame.Version, frame.Update, ChildrenOf(message)));
            Seen(p, frame.Version);
        }
    }

    private static void Seen(Probe p, long version)
    {
        Interlocked.Exchange(ref p.Version, Math.Max(Interlocked.Read(ref p.Version), version));
        p.Changed.Release();
    }

    /// <summary>The length of the "children" array of an invocation's first argument, or the children its packed bytes list (0 when absent).</summary>
    public static int ChildrenOf(ReadOnlyMemory<byte> message)
    {
        var r = new MessagePackReader(message);
        r.ReadArrayHeader();
        r.Skip(); // type
        r.Skip(); // headers
        r.Skip(); // invocation id
        r.Skip(); // target
        if (r.ReadArrayHeader() == 0) return 0;
        if (r.NextMessagePackType == MessagePackType.Array)
        {
            // [contest, region, prevVersion, version, packed, ...]
            if (r.ReadArrayHeader() < 5) return 0;
            for (var i = 0; i < 4; i++) r.Skip();
            return Results.PackedFrame.ChildCount(r.ReadBytes()!.Value.ToArray());
        }
        var entries = r.ReadMapHeader();
        for (var i = 0; i < entries; i++)
        {
            var key = r.ReadString();
            if (key == "children" && r.NextMessagePackType == MessagePackType.Array) return r.ReadArrayHeader();
            r.Skip();
        }
        return 0;
    }
}
