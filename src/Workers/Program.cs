using PayMyInvoice.Lambda;
using PayMyInvoice.Workers;

return await LambdaHost.RunAsync(WorkerFunctions.Create(Environment.GetEnvironmentVariable)).ConfigureAwait(false);
