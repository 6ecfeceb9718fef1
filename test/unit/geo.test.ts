import { describe, test, expect, beforeEach } from 'vitest';
import { shardHarness } from '../helpers/shard-harness';
import { commands as geo } from '../../src/commands/geo';
import { commands as zset } from '../../src/commands/zset';
import { commands as keys } from '../../src/commands/keys';
import { commands as strings } from '../../src/commands/string';

const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
const int = (n: number) => `:${n}\r\n`;
const err = (m: string) => `-${m}\r\n`;
const arr = (...items: string[]) => `*${items.length}\r\n${items.join('')}`;
const bulks = (...s: string[]) => arr(...s.map(bulk));
const SYNTAX = err('ERR syntax error');

const all = [...geo, ...zset, ...keys, ...strings];
let h: ReturnType<typeof shardHarness>;

function nyc() {
  h.call('GEOADD', 'nyc', '-73.9454966', '40.747533', 'lic market');
  h.call(
    'GEOADD', 'nyc',
    '-73.9733487', '40.7648057', 'central park n/q/r',
    '-73.9903085', '40.7362513', 'union square',
    '-74.0131604', '40.7126674', 'wtc one',
    '-73.7858139', '40.6428986', 'jfk',
    '-73.9375699', '40.7498929', 'q4',
    '-73.9564142', '40.7480973', '4545',
  );
}

describe('geo', () => {
  beforeEach(() => {
    h = shardHarness(all);
  });

  test('wrong type and missing source', () => {
    h.call('SET', 'src', 'x');
    const WT = err('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(h.call('GEORADIUS', 'src', '1', '1', '1', 'km')).toBe(WT);
    expect(h.call('GEOSEARCH', 'src', 'frommember', 'm', 'bybox', '1', '1', 'km')).toBe(WT);
    h.call('DEL', 'src');
    expect(h.call('GEORADIUS', 'src', '1', '1', '1', 'km')).toBe(arr());
    expect(h.call('GEORADIUS', 'src', '1', '1', '1', 'km', 'store', 'dest')).toBe(int(0));
    expect(h.call('GEORADIUSBYMEMBER', 'src', 'member', '1', 'km')).toBe(arr());
    expect(h.call('GEOSEARCHSTORE', 'dest', 'src', 'frommember', 'm', 'bybox', '1', '1', 'm')).toBe(int(0));
    h.call('GEOADD', 'src', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
    expect(h.call('GEORADIUSBYMEMBER', 'src', 'member', '1', 'km')).toBe(err('ERR could not decode requested zset member'));
    expect(h.call('GEOSEARCH', 'src', 'fromlonlat', '0', '0', 'byradius', '1', 'km')).toBe(arr());
  });

  test('GEOADD options and scores', () => {
    expect(h.call('GEOADD', 'nyc', '-73.9454966', '40.747533', 'lic market')).toBe(int(1));
    expect(h.call('GEOADD', 'nyc', '-73.9454966', '40.747533', 'lic market')).toBe(int(0));
    expect(h.call('GEOADD', 'nyc', 'CH', '40.747533', '-73.9454966', 'lic market')).toBe(int(1));
    expect(h.call('GEOADD', 'nyc', 'NX', '-73.9454966', '40.747533', 'lic market')).toBe(int(0));
    expect(h.call('GEOADD', 'nyc', 'CH', 'XX', '-73.9454966', '40.747533', 'lic market')).toBe(int(1));
    expect(h.call('GEOADD', 'nyc', 'xx', 'nx', '-73.9454966', '40.747533', 'lic market')).toBe(SYNTAX);
    expect(h.call('GEOADD', 'nyc', 'ch', 'xx', 'foo', '-73.9454966', '40.747533', 'lic market')).toBe(SYNTAX);
    expect(h.call('GEOADD', 'nyc', '-73.9454966', '40.747533', 'lic market', 'foo', 'bar', 'luck market')).toBe(
      err('ERR value is not a valid float'),
    );
    expect(h.call('GEOADD', 'nyc', '200', '40', 'x')).toBe(err('ERR invalid longitude,latitude pair 200.000000,40.000000'));
    h.call('DEL', 'nyc');
    nyc();
    expect(h.call('ZRANGE', 'nyc', '0', '-1', 'WITHSCORES')).toBe(
      bulks(
        'wtc one', '1791873972053020', 'union square', '1791875485187452', 'central park n/q/r', '1791875761332224',
        '4545', '1791875796750882', 'lic market', '1791875804419201', 'q4', '1791875830079666', 'jfk', '1791895905559723',
      ),
    );
  });

  test('GEORADIUS / GEOSEARCH results and order', () => {
    nyc();
    expect(h.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '3', 'km', 'asc')).toBe(bulks('central park n/q/r', '4545', 'union square'));
    expect(h.call('GEOSEARCH', 'nyc', 'fromlonlat', '-73.9798091', '40.7598464', 'bybox', '6', '6', 'km', 'asc')).toBe(
      bulks('central park n/q/r', '4545', 'union square', 'lic market'),
    );
    expect(h.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '3', 'km', 'withdist', 'asc')).toBe(
      arr(bulks('central park n/q/r', '0.7750'), bulks('4545', '2.3651'), bulks('union square', '2.7697')),
    );
    expect(h.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'COUNT', '3', 'ANY')).toBe(
      bulks('wtc one', 'union square', 'central park n/q/r'),
    );
    expect(h.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'COUNT', '2', 'DESC')).toBe(bulks('wtc one', 'q4'));
    expect(h.call('GEORADIUSBYMEMBER', 'nyc', 'wtc one', '7', 'km', 'withdist')).toBe(
      arr(
        bulks('wtc one', '0.0000'), bulks('union square', '3.2544'), bulks('central park n/q/r', '6.7000'),
        bulks('4545', '6.1975'), bulks('lic market', '6.8969'),
      ),
    );
    expect(h.call('GEOSEARCH', 'nyc', 'frommember', 'wtc one', 'bybox', '14', '14', 'km')).toBe(
      bulks('wtc one', 'union square', 'central park n/q/r', '4545', 'lic market', 'q4'),
    );
    expect(h.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '1', 'km', 'WITHCOORD', 'WITHHASH')).toBe(
      arr(arr(bulk('central park n/q/r'), int(1791875761332224), bulks('-73.97334784269332886', '40.76480639569881959'))),
    );
  });

  test('argument errors', () => {
    nyc();
    expect(h.call('GEOSEARCH', 'nyc', 'fromlonlat', '-73.97', '40.75', 'frommember', 'xxx', 'bybox', '6', '6', 'km')).toBe(SYNTAX);
    expect(h.call('GEOSEARCH', 'nyc', 'bybox', '3', '3', 'km', 'asc')).toBe(
      err('ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH'),
    );
    expect(h.call('GEOSEARCH', 'nyc', 'fromlonlat', '-73.97', '40.75', 'byradius', '3', 'km', 'bybox', '3', '3', 'km')).toBe(SYNTAX);
    // GEOSEARCH's arity is -7, so the 6-argument form never reaches the
    // handler (Redis: wrong number of arguments). Redis 7.0.15 names the
    // command as the client spelled it (argv[0]).
    expect(h.call('geosearch', 'nyc', 'fromlonlat', '-73.97', '40.75', 'asc', 'withdist')).toBe(
      err('ERR exactly one of BYRADIUS and BYBOX can be specified for geosearch'),
    );
    expect(h.call('GeoSearch', 'nyc', 'fromlonlat', '-73.97', '40.75', 'asc', 'withdist')).toBe(
      err('ERR exactly one of BYRADIUS and BYBOX can be specified for GeoSearch'),
    );
    expect(h.call('GEOSEARCHSTORE', 'd', 'nyc', 'fromlonlat', '-73.97', '40.75', 'asc', 'asc')).toBe(
      err('ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCHSTORE'),
    );
    expect(h.call('GEOSEARCH', 'nyc', 'fromlonlat', '-73.97', '40.75', 'bybox', '6', '6', 'km', 'storedist')).toBe(SYNTAX);
    expect(h.call('GEORADIUS', 'nyc', '-73.97', '40.75', '10', 'km', 'ANY', 'ASC')).toBe(err('ERR the ANY argument requires COUNT argument'));
    expect(h.call('GEORADIUS', 'nyc', '-73.97', '40.75', '10', 'km', 'COUNT')).toBe(SYNTAX);
    expect(h.call('GEORADIUS', 'nyc', '-73.97', '40.75', '10', 'km', 'COUNT', '0')).toBe(err('ERR COUNT must be > 0'));
    expect(h.call('GEORADIUS', 'nyc', '-73.97', '40.75', '-1', 'km')).toBe(err('ERR radius cannot be negative'));
    expect(h.call('GEORADIUS', 'nyc', '-73.97', '40.75', '1', 'parsec')).toBe(err('ERR unsupported unit provided. please use M, KM, FT, MI'));
    expect(h.call('GEORADIUS', 'nyc', '-73.97', '40.75', '50', 'km', 'store')).toBe(SYNTAX);
    expect(h.call('GEORADIUS', 'nyc', '-73.97', '40.75', '50', 'km', 'store', 'p2', 'withdist')).toBe(
      err('ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options'),
    );
    expect(h.call('GEOSEARCHSTORE', 'abc', 'nyc', 'fromlonlat', '-73.97', '40.75', 'byradius', '50', 'km', 'store', 'abc')).toBe(SYNTAX);
    expect(h.call('GEORADIUS_RO', 'nyc', '-73.97', '40.75', '50', 'km', 'store', 'x')).toBe(SYNTAX);
  });

  test('GEOHASH, GEOPOS, GEODIST', () => {
    h.call('GEOADD', 'points', '-5.6', '42.6', 'test');
    expect(h.call('GEOHASH', 'points', 'test', 'nope')).toBe(arr(bulk('ezs42e44yx0'), '$-1\r\n'));
    h.call('GEOADD', 'points', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
    expect(h.call('GEOPOS', 'points', 'Palermo', 'x')).toBe(
      arr(bulks('13.36138933897018433', '38.11555639549629859'), '*-1\r\n'),
    );
    expect(h.call('GEODIST', 'points', 'Palermo', 'Catania')).toBe(bulk('166274.1516'));
    expect(h.call('GEODIST', 'points', 'Palermo', 'Catania', 'km')).toBe(bulk('166.2742'));
    expect(h.call('GEODIST', 'points', 'Palermo', 'Palermo')).toBe(bulk('0.0000'));
    expect(h.call('GEODIST', 'points', 'Palermo', 'Agrigento')).toBe('$-1\r\n');
    expect(h.call('GEODIST', 'empty', 'Palermo', 'Catania')).toBe('$-1\r\n');
    expect(h.call('GEODIST', 'points', 'Palermo', 'Catania', 'km', 'x')).toBe(SYNTAX);
    const h3 = shardHarness(all, 3);
    h3.call('GEOADD', 'points', '13.361389', '38.115556', 'Palermo');
    expect(h3.call('GEOPOS', 'points', 'Palermo', 'x')).toBe('*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n');
  });

  test('STORE / STOREDIST', () => {
    h.call('GEOADD', 'points', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
    expect(h.call('GEORADIUS', 'points', '13.361389', '38.115556', '500', 'km', 'store', 'p2')).toBe(int(2));
    expect(h.call('ZRANGE', 'p2', '0', '-1')).toBe(h.call('ZRANGE', 'points', '0', '-1'));
    expect(h.call('OBJECT', 'ENCODING', 'p2')).toBe(bulk('listpack'));
    expect(h.call('GEORADIUSBYMEMBER', 'points', 'Catania', '500', 'km', 'storedist', 'p2')).toBe(int(2));
    expect(h.call('ZRANGE', 'p2', '0', '-1', 'WITHSCORES')).toBe(bulks('Catania', '0', 'Palermo', '166.27415156960032'));
    expect(h.call('GEOSEARCHSTORE', 'p2', 'points', 'fromlonlat', '13.361389', '38.115556', 'byradius', '500', 'km', 'storedist', 'desc', 'count', '1')).toBe(int(1));
    expect(h.call('ZRANGE', 'p2', '0', '-1')).toBe(bulks('Catania'));
    expect(h.call('GEORADIUS', 'points', '0', '0', '1', 'km', 'store', 'p2')).toBe(int(0));
    expect(h.call('EXISTS', 'p2')).toBe(int(0));
  });

  test('edges: pole crossing, antimeridian, small distances', () => {
    h.call('GEOADD', 'k1', '45', '65', 'n1', '-135', '85.05', 'n2');
    expect(h.call('GEORADIUSBYMEMBER', 'k1', 'n1', '5009431', 'm')).toBe(bulks('n1', 'n2'));
    h.call('GEOADD', 'k2', '-0.15307903289794921875', '85', 'n1', '0.3515625', '85.00019260486917005437', 'n2');
    expect(h.call('GEORADIUSBYMEMBER', 'k2', 'n1', '4891.94', 'm')).toBe(bulks('n1', 'n2'));
    h.call('GEOADD', 'pts', '179.5', '36', 'point1', '-179.5', '36', 'point2');
    expect(h.call('GEOSEARCH', 'pts', 'fromlonlat', '179', '37', 'bybox', '400', '400', 'km', 'asc')).toBe(bulks('point1', 'point2'));
    expect(h.call('GEOSEARCH', 'pts', 'fromlonlat', '-179', '37', 'bybox', '400', '400', 'km', 'asc')).toBe(bulks('point2', 'point1'));
    h.call('GEOADD', 'sf', '-122.407107', '37.794300', '1', '-122.227336', '37.794300', '2');
    expect(h.call('GEORADIUS', 'sf', '-122.407107', '37.794300', '30', 'mi', 'ASC', 'WITHDIST')).toBe(
      arr(bulks('1', '0.0001'), bulks('2', '9.8182')),
    );
    h.call('GEOADD', 'sic', '12.758489', '38.788135', 'edge1', '17.241510', '38.788135', 'edge2', '17.250000', '35.202000', 'edge3',
      '12.750000', '35.202000', 'edge4', '12.748489955781654', '37', 'edge5', '15', '38.798135872540925', 'edge6',
      '17.251510044218346', '37', 'edge7', '15', '35.201864127459075', 'edge8');
    const got = h.call('GEOSEARCH', 'sic', 'fromlonlat', '15', '37', 'bybox', '400', '400', 'km', 'asc');
    expect(got.match(/edge\d/g)!.sort()).toEqual(['edge1', 'edge2', 'edge5', 'edge7']);
  });
});
