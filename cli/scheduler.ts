// `ledgerfleet scheduler --config FILE`: the tenants' JSON-RPC gateway in the foreground (what the
// container runs, through scheduler/service/entry.ts), and `ledgerfleet tenant-key <tenant>`: a new
// key for a tenant, of which only the hash is ever stored (see scheduler/README.md, "Onboarding a tenant").
import { createHash, randomBytes } from "node:crypto";
import { type Command, InvalidArgumentError } from "commander";
import { runScheduler } from "../scheduler/service/main";

interface Output {
    write(text: string): unknown;
}

export function registerSchedulerCommands(program: Command, io: { out: Output; err: Output }, setExitCode: (code: number) => void): void {
    program
        .command("scheduler")
        .description("run the scheduler service (tenants' JSON-RPC gateway) in the foreground until SIGTERM or SIGINT")
        .requiredOption("--config <file>", "scheduler config file (format: scheduler/README.md)")
        .action(async (opts: { config: string }) => {
            setExitCode(await runScheduler(opts.config, (text) => io.err.write(text)));
        });
    program
        .command("tenant-key")
        .description("make a new random key for a tenant: prints the key (once, here only) and the Pulumi command that stores its hash")
        .argument("<tenant>", "the tenant's id, as in the network file", tenantId)
        .action((tenant: string) => {
            const key = newTenantKey();
            const hash = keyHash(key);
            io.out.write(
                `key for tenant ${tenant} (shown once: hand it to the tenant over a safe channel, store it nowhere else):\n` +
                    `  ${key}\n` +
                    `sha256: ${hash}\n` +
                    `store the hash in the stack config (the scheduler keeps only hashes):\n` +
                    `  pulumi config set --secret --path 'ledgerfleet:tenantKeyHashes.${tenant}' ${hash}\n`,
            );
            setExitCode(0);
        });
}

/** `lfk_` and 256 random bits, base64url: sent by the tenant as `Authorization: Bearer <key>`. */
export function newTenantKey(): string {
    return `lfk_${randomBytes(32).toString("base64url")}`;
}

/** What the scheduler's config holds for a key: the SHA-256 of its UTF-8 bytes, lower-case hex. */
export function keyHash(key: string): string {
    return createHash("sha256").update(key).digest("hex");
}

function tenantId(value: string): string {
    if (!/^[a-z]([a-z0-9-]*[a-z0-9])?$/.test(value) || value.length > 30) {
        throw new InvalidArgumentError("expected a tenant id: lower-case letters, digits and '-', starting with a letter, at most 30 characters");
    }
    return value;
}
