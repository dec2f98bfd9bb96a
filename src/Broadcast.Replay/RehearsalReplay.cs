using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Broadcast.Elections;
using Broadcast.Elections.Rehearsal;
using static Broadcast.Replay.Program;

namespace Broadcast.Replay;

/// <summary>One generated form, rendered: its station id and its JSON object (<see cref="FormVotes.Of"/> for the votes).</summary>
internal readonly record struct RehearsalOutgoing(string Station, byte[] Json) : IOutgoingForm
{
    public bool IsCorrection => false;

    public void WriteTo(Utf8JsonWriter writer) => writer.WriteRawValue(Json, skipInputValidation: true);

    public static RehearsalOutgoing Of(Election election, RehearsalForm form)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var station = election.StationId(form.Station);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("station", station);
            w.WriteString("contest", form.Contest.Id);
            w.WriteStartObject("votes");
            foreach (var (key, value) in FormVotes.Of(form.Ballot, form.Votes))
            {
                if (value is PartyVotes party)
                {
                    w.WriteStartObject(key);
                    w.WriteNumber("party", party.Party);
                    w.WriteStartObject("candidates");
                    foreach (var (number, votes) in party.Candidates) w.WriteNumber(number, votes);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                else w.WriteNumber(key, (int)value);
            }
            w.WriteEndObject();
            w.WriteNumber("valid", form.Valid);
            w.WriteNumber("invalid", form.Invalid);
            w.WriteNumber("total", form.Total);
            w.WriteEndObject();
        }
        return new RehearsalOutgoing(station, buffer.WrittenSpan.ToArray());
    }
}

/// <summary>
/// <c>--rehearsal</c>: sends the SYNTHETIC 2024 legislative night (docs/rehearsal.md) through
/// POST /api/v1/forms:batch. The night is planned up front (one 8-byte key per form); each
/// form is made and rendered only when its batch is sent, by the task that sends it, so memory
/// stays bounded and generation runs in parallel with the requests.
/// </summary>
internal static class RehearsalReplay
{
    /// <summary>The server takes at most 4 MiB per batch; a DPR form is about 1.5 KB, the widest about 2.5 KB.</summary>
    private const int MaxRequestBytes = 3_500_000;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    public static async Task<int> RunAsync(ReplayOptions options)
    {
        RehearsalNight night;
        RehearsalSchedule schedule;
        int planned;
        try
        {
            (night, schedule, planned) = Plan(options);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or ArgumentException)
        {
            Console.Error.WriteLine($"replay: {e.Message}");
            return 2;
        }
        if (options.DryRun)
        {
            Generate(night, schedule, planned);
            return 0;
        }
        if (await RefusedByServerAsync(options) is { } refusal)
        {
            Console.Error.WriteLine($"replay: {refusal}");
            return 2;
        }
        return await SendAsync(options, night, schedule, planned);
    }

    /// <summary>
    /// Synthetic forms go to a rehearsal server only (it stores them apart from the live count
    /// and every screen says REHEARSAL): why this server will not do, or null when it will.
    /// </summary>
    private static async Task<string?> RefusedByServerAsync(ReplayOptions options)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var election = JsonDocument.Parse(await http.GetStringAsync(new Uri(options.Server, "/api/v1/election")));
            return election.RootElement.TryGetProperty("rehearsal", out var rehearsal) && rehearsal.GetBoolean()
                ? null
                : $"{options.Server} counts the live election; rehearsal forms go to a rehearsal server only " +
                  "(start it with --rehearsal: it stores into its own database and every screen shows REHEARSAL / LATIHAN)";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            return $"could not read {options.Server}api/v1/election: {e.Message}";
        }
    }

    private static string DataLabel(RehearsalNight night) =>
        Inv($"{RehearsalNight.Label}: the 2024 legislative rehearsal night, seed {night.Seed} (docs/rehearsal.md); not real results");

    /// <summary>Loads the election, creates the generator and plans the night; prints what it planned.</summary>
    private static (RehearsalNight, RehearsalSchedule, int Planned) Plan(ReplayOptions options)
    {
        var o = Console.Out;
        var folder = options.ResolveRehearsalFolder();
        var watch = Stopwatch.StartNew();
        var election = ElectionLoader.Load(folder);
        var loaded = watch.Elapsed;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        watch.Restart();
        var night = RehearsalNight.Create(election, folder, options.Seed ?? RehearsalNight.DefaultSeed);
        var created = watch.Elapsed;
        var generatorBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        o.WriteLine($"data            {DataLabel(night)}");
        o.WriteLine(Inv($"election        {folder}: {election.Stations.Count:N0} stations, loaded in {loaded.TotalSeconds:F2} s"));
        var tight = night.TightestDapil;
        o.WriteLine(Inv($"generator       ready in {created.TotalSeconds:F2} s, {generatorBytes / 1e6:N0} MB; DPR votes per dapil and party = the official ones"));
        o.WriteLine(Inv($"fullest dapil   {tight.Code} {tight.Name}: {tight.ValidVotes:N0} valid votes in {tight.Stations:N0} stations, {(double)tight.ValidVotes / tight.BallotCapacity:P1} of the ballots they may report, {tight.Fill:P1} once invalid ballots have room"));

        var contests = (options.Contests ?? ReplayOptions.RehearsalContests)
            .Select(id => election.FindContest(id) is { } c && night.Contests.Contains(c) ? c
                : throw new ArgumentException($"--contests: the election in {folder} has no contest '{id}'"))
            .ToArray();
        Func<int, bool>? stations = null;
        if (options.Province is { } id)
        {
            var region = election.FindRegion(id) ?? throw new ArgumentException($"--province: no region with id '{id}' in {folder}");
            o.WriteLine($"region          {id} {election.Regions.Name[region]}");
            stations = s => election.IsUnder(s, region);
        }
        watch.Restart();
        var schedule = night.Schedule(contests, stations);
        var planned = options.Limit is int limit ? Math.Min(limit, schedule.Count) : schedule.Count;
        var perContest = new int[night.Contests.Count];
        for (var i = 0; i < planned; i++) perContest[IndexOf(night.Contests, schedule[i].Contest)]++;
        o.WriteLine($"to send         {planned:N0} forms ({string.Join(", ", contests.Select(c => Inv($"{c.Id} {perContest[IndexOf(night.Contests, c)]:N0}")))})");
        if (planned > 0)
        {
            o.WriteLine($"arrivals        {NightClock.Wib(At(schedule[0]))} .. {NightClock.Wib(At(schedule[planned - 1]))}");
            if (options.Speed is { } speed)
            {
                var span = TimeSpan.FromMilliseconds(At(schedule[planned - 1]) - At(schedule[0]));
                o.WriteLine(Inv($"timed replay    {span.TotalHours:N1} h of night at x{speed:G} = {span / speed:hh\\:mm\\:ss}"));
            }
        }
        o.WriteLine(Inv($"plan time       {watch.Elapsed.TotalSeconds:F2} s"));
        return (night, schedule, planned);
    }

    private static int IndexOf(IReadOnlyList<Contest> contests, Contest contest)
    {
        for (var i = 0; i < contests.Count; i++)
            if (contests[i] == contest) return i;
        return -1;
    }

    /// <summary>Epoch ms of an arrival on the election-night clock.</summary>
    private static long At(RehearsalArrival arrival) =>
        RehearsalNight.PollsClose.ToUnixTimeMilliseconds() + (long)arrival.Arrival.TotalMilliseconds;

    /// <summary>The dry run: makes and renders every planned form on one thread, timing each step.</summary>
    private static void Generate(RehearsalNight night, RehearsalSchedule schedule, int planned)
    {
        long making = 0, rendering = 0, bytes = 0;
        for (var i = 0; i < planned; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var form = night.Form(schedule[i]);
            var made = Stopwatch.GetTimestamp();
            bytes += RehearsalOutgoing.Of(night.Election, form).Json.Length;
            making += made - started;
            rendering += Stopwatch.GetTimestamp() - made;
        }
        var make = TimeSpan.FromTicks(making * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
        var render = TimeSpan.FromTicks(rendering * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
        var o = Console.Out;
        o.WriteLine(Inv($"generated       {planned:N0} forms in {make.TotalSeconds:F2} s on one thread ({planned / Math.Max(make.TotalSeconds, 1e-9):N0} forms/s)"));
        o.WriteLine(Inv($"rendered        {bytes / 1e6:N0} MB of JSON in {render.TotalSeconds:F2} s ({planned / Math.Max(render.TotalSeconds, 1e-9):N0} forms/s)"));
        o.WriteLine(Inv($"peak memory     {Environment.WorkingSet / 1e6:N0} MB now, {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:N0} MB at most (the whole process)"));
    }

    private static Task<int> SendAsync(ReplayOptions options, RehearsalNight night, RehearsalSchedule schedule, int planned)
    {
        var clock = options.Speed is { } speed && planned > 0 ? new NightClock(At(schedule[0]), speed) : null;
        var mode = options.Speed is { } s ? Inv($"speed x{s:G}") : options.Rate is { } r ? Inv($"rate {r:G}/s") : "max";
        return Program.SendAsync(options, planned, clock, planned > 0 ? At(schedule[planned - 1]) : 0, mode,
            (sender, ct) => new Streamer(night, schedule, planned, sender, options, clock).RunAsync(ct), DataLabel(night), RehearsalNight.Label);
    }

    /// <summary>
    /// Walks the schedule in batches, at most <c>concurrency</c> under way, as fast as possible or
    /// paced by the night clock (like <see cref="Replayer"/>, without corrections to order).
    /// </summary>
    private sealed class Streamer(RehearsalNight night, RehearsalSchedule schedule, int planned, FormSender sender,
        ReplayOptions options, NightClock? clock)
    {
        private readonly SemaphoreSlim _slots = new(options.Concurrency);
        private readonly Stopwatch _sinceDispatch = Stopwatch.StartNew();
        private Exception? _fatal;

        public async Task RunAsync(CancellationToken ct)
        {
            using var run = CancellationTokenSource.CreateLinkedTokenSource(ct);
            try
            {
                for (var start = 0; start < planned;)
                {
                    var end = await NextBatchEndAsync(start, run.Token);
                    // A steady rate: the batch starting at form n goes out at n / rate seconds.
                    if (options.Rate is { } rate && TimeSpan.FromSeconds(start / rate) - _sinceDispatch.Elapsed is { Ticks: > 0 } early)
                        await Task.Delay(early, run.Token);
                    await _slots.WaitAsync(run.Token);
                    var (from, to) = (start, end);
                    _ = Task.Run(() => SendAsync(from, to, run));
                    start = end;
                }
            }
            catch (OperationCanceledException) when (run.IsCancellationRequested)
            {
                // stopped by the user or by a fatal answer; wait for the requests under way below
            }
            for (var taken = 0; taken < options.Concurrency; taken++)
                await _slots.WaitAsync(CancellationToken.None);
            if (_fatal is not null)
                throw _fatal;
            ct.ThrowIfCancellationRequested();
        }

        /// <summary>Makes and renders the forms start..end-1, sending them in as many requests as the size limit needs.</summary>
        private async Task SendAsync(int start, int end, CancellationTokenSource run)
        {
            try
            {
                var batch = new List<RehearsalOutgoing>(end - start);
                var bytes = 0;
                for (var i = start; i < end; i++)
                {
                    var form = RehearsalOutgoing.Of(night.Election, night.Form(schedule[i]));
                    if (batch.Count > 0 && bytes + form.Json.Length > MaxRequestBytes)
                    {
                        await sender.SendAsync(batch, run.Token);
                        (batch, bytes) = (new List<RehearsalOutgoing>(end - i), 0);
                    }
                    batch.Add(form);
                    bytes += form.Json.Length + 1;
                }
                if (batch.Count > 0) await sender.SendAsync(batch, run.Token);
            }
            catch (OperationCanceledException) when (run.IsCancellationRequested)
            {
                // the run is stopping; these forms stay unsent
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _fatal, e, null); // the first failure is the one to report
                await run.CancelAsync();
            }
            finally
            {
                _slots.Release();
            }
        }

        private async Task<int> NextBatchEndAsync(int start, CancellationToken ct)
        {
            if (clock is null)
                return Math.Min(start + options.Batch, planned);
            while (true)
            {
                var now = clock.NowMs;
                var end = start;
                while (end < planned && end - start < options.Batch && At(schedule[end]) <= now)
                    end++;
                var full = end - start == options.Batch || end == planned;
                if (end > start && (full || _sinceDispatch.Elapsed >= Tick))
                {
                    _sinceDispatch.Restart();
                    return end;
                }
                var wait = end > start ? Tick - _sinceDispatch.Elapsed : clock.WallUntil(At(schedule[start]));
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(wait.TotalMilliseconds, 1, Tick.TotalMilliseconds)), ct);
            }
        }
    }
}
