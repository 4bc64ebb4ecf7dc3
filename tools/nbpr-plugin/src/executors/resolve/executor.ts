export default async function resolve(opts: any, ctx: any) { const x: number = 1; console.log('resolve', ctx.projectName, opts.keyInputs, x); return { success: true }; }
