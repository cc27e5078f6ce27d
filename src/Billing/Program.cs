using PayMyInvoice.Billing;
using PayMyInvoice.Infrastructure.Secrets;
using PayMyInvoice.Lambda;

return await LambdaHost.RunAsync(BillingFunctions.Create(await SsmSecrets.FromProcessAsync().ConfigureAwait(false))).ConfigureAwait(false);
