using PayMyInvoice.Infrastructure.Secrets;
using PayMyInvoice.Lambda;
using PayMyInvoice.Workers;

return await LambdaHost.RunAsync(WorkerFunctions.Create(await SsmSecrets.FromProcessAsync().ConfigureAwait(false))).ConfigureAwait(false);
