using PayMyInvoice.Bench.Floors;

// The hello-world floor: the runtime loop answering "{}" and doing nothing else.
return await RuntimeLoop.RunAsync(_ => Task.CompletedTask).ConfigureAwait(false);
