using System.Diagnostics;
using System.Globalization;

namespace Broadcast.Replay;

/// <summary>The election-night clock of a timed replay: starts at the first arrival and runs <see cref="Speed"/> times faster.</summary>
public sealed class NightClock(long startMs, double speed)
{
    private static readonly TimeSpan WibOffset = TimeSpan.FromHours(7);
    private readonly Stopwatch _wall = Stopwatch.StartNew();

    public double Speed => speed;
    public long NowMs => startMs + (long)(_wall.Elapsed.TotalMilliseconds * speed);

    /// <summary>Wall time until the night clock reaches <paramref name="ms"/> (zero if it already has).</summary>
    public TimeSpan WallUntil(long ms) => TimeSpan.FromMilliseconds(Math.Max(0, (ms - NowMs) / speed));

    public static string Wib(long epochMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(epochMs).ToOffset(WibOffset).ToString("yyyy-MM-dd HH:mm:ss 'WIB'", CultureInfo.InvariantCulture);
}

/// <summary>
/// The progress line on stderr: redrawn in place on a terminal, a plain line every few seconds
/// when redirected (so logs stay readable). Other messages go through <see cref="Log"/> so they do not garble it.
/// </summary>
public sealed class Progress : IAsyncDisposable
{
    private readonly ReplayStats _stats;
    private readonly int _total;
    private readonly NightClock? _clock;
    private readonly long _lastAt;
    private readonly string? _label;
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private readonly Lock _console = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _drawn; // length of the line currently on screen (terminal only)

    /// <param name="label">Shown first on every progress line (the rehearsal's <c>SYNTHETIC</c>), or null.</param>
    public Progress(ReplayStats stats, int total, NightClock? clock, long lastAt, string? label = null)
    {
        (_stats, _total, _clock, _lastAt, _label) = (stats, total, clock, lastAt, label);
        _loop = RunAsync(TimeSpan.FromMilliseconds(_terminal ? 250 : 5000));
    }

    public void Log(string message)
    {
        lock (_console)
        {
            if (_drawn > 0)
                Console.Error.Write("\r" + new string(' ', _drawn) + "\r");
            _drawn = 0;
            Console.Error.WriteLine(message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Draw();
        if (_terminal)
            lock (_console)
                Console.Error.WriteLine();
        _stop.Dispose();
    }

    private async Task RunAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                Draw();
        }
        catch (OperationCanceledException)
        {
            // stopped by DisposeAsync
        }
    }

    private void Draw()
    {
        var line = Format();
        lock (_console)
        {
            if (!_terminal)
            {
                Console.Error.WriteLine(line);
                return;
            }
            // A line longer than the terminal wraps, and \r would then redraw only its last row.
            var width = Console.WindowWidth > 0 ? Console.WindowWidth - 1 : line.Length;
            line = line.Length > width ? line[..width] : line;
            Console.Error.Write("\r" + line.PadRight(_drawn));
            _drawn = line.Length;
        }
    }

    private string Format()
    {
        var s = _stats;
        var elapsed = s.Elapsed;
        var sent = s.Sent;
        var rate = elapsed.TotalSeconds > 0 ? sent / elapsed.TotalSeconds : 0;
        var percent = _total > 0 ? 100.0 * sent / _total : 100;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{sent:N0}/{_total:N0} {percent:F1}% {rate:N0} forms/s | counted {s.Counted:N0} quarantined {s.Quarantined:N0} " +
            $"duplicates {s.Duplicates:N0} rejected {s.Rejected:N0}{(s.Failed > 0 ? $" failed {s.Failed:N0}" : "")} | " +
            $"{elapsed:hh\\:mm\\:ss} ETA {Eta(sent, rate)}");
        line = _label is null ? line : $"{_label} | {line}";
        return _clock is null ? line : $"{line} | {NightClock.Wib(Math.Min(_clock.NowMs, _lastAt))} x{_clock.Speed:G}";
    }

    /// <summary>Timed: the night clock decides; as fast as possible: the current rate does.</summary>
    private string Eta(long sent, double rate)
    {
        TimeSpan? eta = _clock is not null ? _clock.WallUntil(_lastAt)
            : rate > 0 ? TimeSpan.FromSeconds((_total - sent) / rate)
            : null;
        return eta is { } e ? $"{(int)e.TotalHours:00}:{e:mm\\:ss}" : "--:--:--";
    }
}
