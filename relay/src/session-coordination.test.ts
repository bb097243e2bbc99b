import { describe, it } from "vitest";
import { MemorySessionCoordination } from "./memory-session-coordination.ts";
import { PostgresSessionCoordination } from "./records/postgres-session-coordination.ts";
import { describeSessionCoordinationContract } from "./session-coordination.contract.ts";

describeSessionCoordinationContract("MemorySessionCoordination", async () => {
  const coordination = new MemorySessionCoordination();
  return { coordination, dispose: () => coordination.close() };
});

const pgUrl = process.env.DATABASE_URL_TEST;
if (pgUrl) {
  let n = 0;
  describeSessionCoordinationContract("PostgresSessionCoordination", async () => {
    const schema = `coordination_${process.pid}_${n++}`;
    const open = () => PostgresSessionCoordination.open({ connectionString: pgUrl, schema, syncIntervalMs: 50 });
    const instances = [await open()];
    return {
      coordination: instances[0]!,
      peer: async () => {
        const peer = await open();
        instances.push(peer);
        return peer;
      },
      // One exchange of each instance writes what it counted, a second one reads what the others wrote.
      settle: async () => {
        for (let i = 0; i < 2; i++) for (const instance of instances) await instance.sync();
      },
      dispose: async () => {
        await instances[0]!.dropSchema(schema);
        await Promise.all(instances.map((c) => c.close()));
      },
    };
  });
} else if (process.env.CI === "true") {
  describe("PostgresSessionCoordination (SessionCoordination contract)", () => {
    it("runs in CI", () => {
      throw new Error("DATABASE_URL_TEST is not set: .ci/run must start PostgreSQL (bash .ci/postgres.sh) and export it.");
    });
  });
}
