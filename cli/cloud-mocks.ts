// Realistic, deterministic outputs for the cloud providers' resources in an offline plan. Each cloud
// has its own table (cli/mocks-<cloud>.ts); this file holds what they share.

export interface CloudMockContext {
    /**
     * The next public address a cloud would grant, from 198.18.0.0/15 (RFC 2544, benchmarking: never a
     * real host), in registration order: the same program gives the same addresses on every run.
     */
    nextPublicIp(): string;
}

/** A resource's outputs as the cloud would report them, or undefined for a type this cloud does not mock. */
export type CloudResourceMock = (type: string, name: string, inputs: Record<string, unknown>, ctx: CloudMockContext) => Record<string, unknown> | undefined;
/** An invoke's answer, or undefined for a token this cloud does not mock. */
export type CloudCallMock = (token: string, args: Record<string, unknown>) => Record<string, unknown> | undefined;
