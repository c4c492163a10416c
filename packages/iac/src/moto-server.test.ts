import { describe, expect, it } from 'vitest';
import { IacError } from './iac-error.ts';
import { startMotoServer } from './moto-server.ts';

describe('startMotoServer', () => {
  it('serves the AWS API on loopback and stops', async () => {
    let endpoint = '';
    {
      await using moto = await startMotoServer();
      endpoint = moto.endpoint;
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const r = await fetch(`${endpoint}/?Action=DescribeRegions&Version=2016-11-15`, {
        headers: {
          Authorization:
            'AWS4-HMAC-SHA256 Credential=testing/20260101/me-central-1/ec2/aws4_request',
        },
      });
      expect(await r.text()).toContain('me-central-1');
    }
    await expect(
      fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) }),
    ).rejects.toThrow();
  });

  it('fails clearly when moto_server cannot be started', async () => {
    await expect(startMotoServer({ command: '/nonexistent/moto_server' })).rejects.toThrow(
      IacError,
    );
  });
});
