using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Broadcast.IntegrationTests.Support;

/// <summary>One log entry as a provider saw it, with what it would weigh in a text log.</summary>
public sealed record CapturedLog(DateTime At, string Category, LogLevel Level, EventId EventId, string Message, string? Exception)
{
    public int Bytes => Category.Length + Message.Length + (Exception?.Length ?? 0) + 32;
}

/// <summary>An in-memory logger provider: every entry the server's filters let through, in order.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyList<CapturedLog> Entries => _entries.ToArray();

    public IReadOnlyList<CapturedLog> Since(DateTime at) => _entries.Where(e => e.At >= at).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new CapturedLog(DateTime.UtcNow, category, logLevel, eventId, formatter(state, exception), exception?.ToString()));
    }
}
