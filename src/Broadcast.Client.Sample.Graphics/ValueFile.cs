using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace Broadcast.Client.Sample.Graphics;

/// <summary>
/// Writes the flat values where a graphics system reads them, atomically: into a temporary file
/// beside the target, then renamed over it, so a template that reads the file mid-update sees the
/// old values or the new ones, never half of each.
/// </summary>
public static class ValueFile
{
    // Names as their characters ("Joko Widodo – Ma'ruf Amin"), not \u escapes: a file for templates, not for a web page.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Render(IReadOnlyDictionary<string, object> values, ValueFormat format, string path)
    {
        var text = format == ValueFormat.Json ? JsonSerializer.Serialize(values, Indented) : CasparTemplateData(values);
        // CasparCG reads a data file (.ftd) as UTF-8 only when it starts with a byte order mark, else as
        // Latin-1, which would garble names. JSON readers elsewhere may refuse one: only .ftd gets it.
        var bom = path.EndsWith(".ftd", StringComparison.OrdinalIgnoreCase);
        return [.. bom ? Encoding.UTF8.Preamble : [], .. Encoding.UTF8.GetBytes(text)];
    }

    /// <summary>
    /// CasparCG's template data: one <c>componentData</c> per key with its value as text, what
    /// <c>CG ADD</c> / <c>CG UPDATE</c> pass to a template (inline, or by the name of a .ftd file in
    /// the server's data folder).
    /// </summary>
    public static string CasparTemplateData(IReadOnlyDictionary<string, object> values)
    {
        var data = new XElement("templateData", values.Select(pair => new XElement("componentData",
            new XAttribute("id", pair.Key),
            new XElement("data", new XAttribute("id", "text"), new XAttribute("value", Text(pair.Value))))));
        var text = new StringBuilder();
        using (var writer = XmlWriter.Create(text, new XmlWriterSettings { OmitXmlDeclaration = true, Indent = true }))
            data.WriteTo(writer);
        return text.ToString();
    }

    private static string Text(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    public static async Task WriteAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        // Beside the target: a rename is atomic only within one volume.
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            await file.WriteAsync(content, cancellationToken);
            file.Flush(flushToDisk: true);
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                File.Move(temporary, full, overwrite: true);
                return;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException && attempt < 20)
            {
                // On Windows a reader that opened the file without FILE_SHARE_DELETE blocks the
                // replace until it closes it: a moment, for a template reading a small file.
                await Task.Delay(50, cancellationToken);
            }
        }
    }
}
