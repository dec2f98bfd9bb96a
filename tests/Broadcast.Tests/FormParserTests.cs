using System.Text;
using Broadcast.Ingest;

namespace Broadcast.Tests;

public sealed class FormParserTests
{
    private static (SubmittedForm?, Dictionary<string, string[]>) Parse(string json)
    {
        var errors = new FormErrors();
        var form = FormParser.ParseOne(Encoding.UTF8.GetBytes(json), TestElection.Pilpres2019, errors);
        return (form, errors.ToDictionary());
    }

    [Fact]
    public void AWellFormedFormIsRead()
    {
        var (form, errors) = Parse("""{ "station": "25830.2", "contest": "ppwp", "votes": { "02": 108, "01": 508 }, "valid": 616, "invalid": 3, "total": 619 }""");
        Assert.Empty(errors);
        Assert.Equal([508, 108], form!.Numbers.Votes);
        Assert.Equal((616, 3, 619), (form.Numbers.Valid, form.Numbers.Invalid, form.Numbers.Total));
    }

    [Theory]
    [InlineData("""{"station":"25830.2","contest":"ppwp","votes":{"01":1,"02":2},"valid":3,"invalid":0,"total":3,"verified":true}""", "verified")]
    [InlineData("""{"station":"25830.2","contest":"ppwp","votes":{"01":1,"02":2},"valid":3,"valid":3,"invalid":0,"total":3}""", "valid")]
    [InlineData("""{"station":"25830.2","contest":"ppwp","votes":{"01":1e2,"02":2},"valid":3,"invalid":0,"total":3}""", "votes.01")]
    [InlineData("""{"station":"25830.2","contest":"ppwp","votes":{"01":100001,"02":2},"valid":3,"invalid":0,"total":3}""", "votes.01")]
    [InlineData("""{"station":"25830.2","contest":"ppwp","votes":{"01":null,"02":2},"valid":3,"invalid":0,"total":3}""", "votes.01")]
    [InlineData("""{"station":"25830.2","contest":"ppwp","votes":[1,2],"valid":3,"invalid":0,"total":3}""", "votes")]
    [InlineData("""{"station":7,"contest":"ppwp","votes":{"01":1,"02":2},"valid":3,"invalid":0,"total":3}""", "station")]
    [InlineData("""{"station":"25830.2","contest":"ppwp","votes":{"01":1,"02":2},"valid":3,"invalid":0,"total":3} {}""", "body")]
    [InlineData("{\"station\":\"25830.2\",\"contest\":\"ppwp\",\"votes\":{\"01\":1,\"02\":2},\"valid\":3,\"invalid\":0,\"total\":3 // note\n}", "body")]
    public void EachProblemNamesItsField(string json, string field)
    {
        var (form, errors) = Parse(json);
        Assert.Null(form);
        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public void EveryProblemOfAFormIsReportedAtOnce()
    {
        var (_, errors) = Parse("""{"station":"nope","contest":"ppwp","votes":{"01":-1,"03":2},"valid":1.5}""");
        Assert.Equal(["invalid", "station", "total", "valid", "votes.01", "votes.02", "votes.03"], errors.Keys.Order());
    }

    [Fact]
    public void BatchErrorsArePrefixedWithTheFormsIndex()
    {
        var errors = new FormErrors();
        var ndjson = """
            {"station":"25830.2","contest":"ppwp","votes":{"01":1,"02":2},"valid":3,"invalid":0,"total":3}
            {"station":"25830.2","contest":"ppwp","votes":{"01":1},"valid":3,"invalid":0,"total":3}
            """;
        Assert.Null(FormParser.ParseBatch(Encoding.UTF8.GetBytes(ndjson), ndjson: true, 10, TestElection.Pilpres2019, errors));
        Assert.Equal(["[1].votes.02"], errors.ToDictionary().Keys);
    }

    [Fact]
    public void BatchOverTheLimitIsRefused()
    {
        var one = """{"station":"25830.2","contest":"ppwp","votes":{"01":1,"02":2},"valid":3,"invalid":0,"total":3}""";
        var errors = new FormErrors();
        Assert.Null(FormParser.ParseBatch(Encoding.UTF8.GetBytes($"[{one},{one},{one}]"), ndjson: false, 2, TestElection.Pilpres2019, errors));
        Assert.Contains("body", errors.ToDictionary().Keys);
    }
}
