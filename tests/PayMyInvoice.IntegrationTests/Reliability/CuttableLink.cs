using System.Net;
using System.Net.Sockets;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>
/// A loopback TCP forwarder in front of a local service, to take the service away and bring it back. While cut,
/// open connections are reset and new ones are refused at once, as when the server process is stopped; restored, it
/// forwards again to the same server, whose state survives (the local stand-ins keep theirs in memory, so stopping
/// the real process would lose what AWS never loses).
/// </summary>
public sealed class CuttableLink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TcpClient> _open = [];
    private readonly Lock _gate = new();
    private Task _accepting = Task.CompletedTask;
    private volatile bool _cut;

    private CuttableLink(Uri target) => _target = target;

    /// <summary>The target's URL with this link's port.</summary>
    public Uri Url => new UriBuilder(_target) { Host = "127.0.0.1", Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.Uri;

    /// <summary>Connections refused or reset while cut.</summary>
    public int Refused { get; private set; }

    /// <summary>Connections forwarded to the target.</summary>
    public int Forwarded { get; private set; }

    public static CuttableLink Start(Uri target)
    {
        var link = new CuttableLink(target);
        link._listener.Start();
        link._accepting = Task.Run(link.AcceptAsync);
        return link;
    }

    public void Cut()
    {
        _cut = true;
        lock (_gate)
        {
            foreach (var client in _open)
            {
                Reset(client);
            }

            _open.Clear();
        }
    }

    public void Restore() => _cut = false;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Cut();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }

            if (_cut)
            {
                Refused++;
                Reset(client);
                continue;
            }

            Forwarded++;
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using var upstream = new TcpClient();
        lock (_gate)
        {
            _open.Add(client);
            _open.Add(upstream);
        }

        try
        {
            await upstream.ConnectAsync(_target.Host, _target.Port, _stopping.Token);
            using var a = client.GetStream();
            using var b = upstream.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stopping.Token), b.CopyToAsync(a, _stopping.Token));
        }
        catch (Exception)
        {
            // a cut or a closed peer: the other side sees the connection end, as it would
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(client);
                _open.Remove(upstream);
            }

            client.Dispose();
        }
    }

    /// <summary>Closes with a RST rather than a FIN, as a dead peer's kernel answers.</summary>
    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
