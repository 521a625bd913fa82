import type { Random } from './random.js';

/**
 * Synthetic names and numbers with the look of a Zhejiang industrial
 * village: factory names, hamlets, people, resident ID numbers and phone
 * numbers. All invented; an ID number has a valid check digit (GB 11643)
 * because the lock codec and the registers check the format.
 */

const FACTORY_PREFIXES = [
  '兴达', '华丰', '永盛', '鑫源', '宏达', '恒丰', '金泰', '荣昌', '顺发', '福临', '天成', '万隆', '信诚', '德润', '瑞丰', '华美',
  '嘉禾', '富华', '东方', '明珠', '新星', '中天', '长城', '国泰', '宝丰', '利民', '昌盛', '汇通', '庆丰', '佳利', '凯达', '安达',
  '正大', '远航', '博远', '浩宇', '锦绣', '泰和', '聚源', '群力', '立信', '鸿运', '恒通', '同创', '盛达', '益民', '鼎盛', '祥和',
];
const FACTORY_TRADES = [
  '五金', '纺织', '家具', '塑料', '机械', '电子', '服装', '印染', '包装', '化纤', '汽配', '轴承', '电器', '灯饰', '鞋业', '箱包',
  '玩具', '制衣', '模具', '铸造', '橡胶', '纸品', '食品', '建材', '线缆', '阀门', '工艺品', '针织',
];
const FACTORY_SUFFIXES = ['厂', '有限公司', '加工厂', '制品厂'];
export const HAMLETS = ['东村', '西村', '南庄', '北庄', '下沙', '上塘', '前埠', '后湾', '新街', '老街', '河头', '桥头', '沙田', '塘下', '王家', '李家', '陈家坞', '周家埭'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平', '刚', '桂英', '建华', '海燕'];

/** Home provinces of the village's tenants: local Zhejiang, and the usual migrant-worker provinces. */
const REGION_CODES = ['330109', '330681', '330282', '341221', '340822', '411425', '412723', '510322', '511623', '522121', '360735', '430523'];
const REGION_WEIGHTS = [6, 2, 1, 4, 3, 4, 3, 3, 2, 3, 2, 2];
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** Unique names: a repeat gets the next free combination, then a number ("二厂", "三厂" …). */
export class FactoryNames {
  private readonly used = new Set<string>();

  constructor(private readonly random: Random) {}

  next(): string {
    for (let attempt = 0; attempt < 20; attempt++) {
      const name = this.random.pick(FACTORY_PREFIXES) + this.random.pick(FACTORY_TRADES) + this.random.pick(FACTORY_SUFFIXES);
      if (!this.used.has(name)) return this.take(name);
    }
    const base = this.random.pick(FACTORY_PREFIXES) + this.random.pick(FACTORY_TRADES);
    // Every name taken has one base, so at most `used.size` numbers are taken for this one.
    for (let n = 2; n <= this.used.size + 2; n++) {
      const name = `${base}${chineseNumber(n)}厂`;
      if (!this.used.has(name)) return this.take(name);
    }
    throw new Error('FactoryNames: no free name (unreachable)');
  }

  private take(name: string): string {
    this.used.add(name);
    return name;
  }
}

export function chineseNumber(n: number): string {
  const digits = '零一二三四五六七八九';
  if (n < 10) return digits[n]!;
  if (n < 20) return `十${n % 10 === 0 ? '' : digits[n % 10]}`;
  if (n < 100) return `${digits[Math.floor(n / 10)]}十${n % 10 === 0 ? '' : digits[n % 10]}`;
  return String(n);
}

export function personName(random: Random): string {
  return random.pick(SURNAMES) + random.pick(GIVEN);
}

/** 18-character resident ID number: region, birth date, sequence, GB 11643 check character. */
export function idNumber(random: Random, bornFrom = 1962, bornTo = 2005): string {
  const region = REGION_CODES[random.weighted(REGION_WEIGHTS)]!;
  const year = random.int(bornFrom, bornTo);
  const month = random.int(1, 12);
  const day = random.int(1, 28);
  const sequence = random.int(1, 999);
  const body = `${region}${year}${pad(month, 2)}${pad(day, 2)}${pad(sequence, 3)}`;
  return body + idCheckCharacter(body);
}

export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] as number);
  return ID_CHECK[sum % 11]!;
}

export function isValidIdNumber(card: string): boolean {
  return /^\d{17}[\dX]$/.test(card) && idCheckCharacter(card.slice(0, 17)) === card[17];
}

/** A mobile number of the 13x–19x ranges, grouped as people write it. */
export function phoneNumber(random: Random): string {
  const prefix = random.pick(['138', '139', '135', '136', '137', '150', '151', '158', '159', '187', '188', '177', '199']);
  return `${prefix}-${pad(random.int(0, 9999), 4)}-${pad(random.int(0, 9999), 4)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
